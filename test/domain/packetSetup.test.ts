import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../src/domain/checkPacket.js';
import { packetHash } from '../../src/domain/hash.js';
import { PacketSchema } from '../../src/domain/packet.js';
import { packet } from '../fixtures/packets/build.js';

const found = (raw: unknown) => checkPacket(raw).problems.map((p) => `${p.path} ${p.code}`);

describe('packet setup field', () => {
  it('is absent when the author leaves it out, so packets without setup hash as they did before the field existed', () => {
    const parsed = PacketSchema.parse(packet());
    expect('setup' in parsed).toBe(false);
  });

  it('keeps the argv commands as written, in order', () => {
    const setup = [['npm', 'ci', '--offline'], ['sh', '-c', 'cp "$BURAN_REPO_ROOT/.env" .env']];
    expect(PacketSchema.parse(packet({ setup })).setup).toEqual(setup);
  });

  it('is part of the approval hash: changing a setup command changes the hash', () => {
    const approved = PacketSchema.parse(packet({ setup: [['npm', 'ci', '--offline']] }));
    const edited = PacketSchema.parse(packet({ setup: [['npm', 'ci']] }));
    const none = PacketSchema.parse(packet());
    expect(packetHash(edited)).not.toBe(packetHash(approved));
    expect(packetHash(none)).not.toBe(packetHash(approved));
  });

  it('refuses an empty command, an empty argument, a NUL byte and a non-array, each at its path', () => {
    expect(found(packet({ setup: [[]] }))).toEqual(['setup[0] too_small']);
    expect(found(packet({ setup: [['npm', '']] }))).toEqual(['setup[0][1] too_small']);
    expect(found(packet({ setup: [['npm', 'a\0b']] }))).toEqual(['setup[0][1] invalid_format']);
    expect(found({ ...packet(), setup: 'npm ci' })).toEqual(['setup invalid_type']);
  });

  it('refuses more than 20 setup commands', () => {
    expect(found(packet({ setup: Array.from({ length: 21 }, () => ['true']) }))).toEqual(['setup too_big']);
  });

  it('refuses $BURAN_REPO_ROOT in a command no shell runs, naming the argument and how to write it', () => {
    const { problems } = checkPacket(packet({ setup: [['true'], ['ln', '-s', '$BURAN_REPO_ROOT/node_modules', 'node_modules']] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'setup[1][2]', code: 'unexpanded_variable' });
    expect(problems[0]?.message).toContain('["sh", "-c", "..."]');
    expect(found(packet({ setup: [['cp', '${BURAN_REPO_ROOT}/.env', '.env']] }))).toEqual(['setup[0][1] unexpanded_variable']);
  });

  it('accepts $BURAN_REPO_ROOT where a shell expands it', () => {
    for (const shell of ['sh', '/bin/sh', 'bash']) {
      expect(found(packet({ setup: [[shell, '-c', 'ln -s "$BURAN_REPO_ROOT/node_modules" node_modules']] }))).toEqual([]);
    }
  });
});
