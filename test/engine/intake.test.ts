import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPacket } from '../../src/domain/loadPacket.js';
import { checkIntake } from '../../src/engine/intake.js';

describe('intake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'buran-intake-'));
  const file = join(dir, 'packet.yaml');
  copyFileSync('test/fixtures/packets/two-tasks.yaml', file);

  it('passes an unchanged packet', async () => {
    const { hash } = await loadPacket(file);
    expect((await checkIntake(file, hash ?? '')).outcome).toEqual({ status: 'ok' });
  });

  it('reports a packet edited after approval as tampered, naming both hashes', async () => {
    const { hash } = await loadPacket(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: Something else'));
    const { outcome } = await checkIntake(file, hash ?? '');
    expect(outcome).toMatchObject({ status: 'tampered', approvedHash: hash });
  });

  it('reports a packet that became insufficient with its problems', async () => {
    writeFileSync(file, 'schema: buran.packet/v1\nid: x\n');
    const { outcome } = await checkIntake(file, 'sha256:' + '0'.repeat(64));
    expect(outcome.status).toBe('insufficient');
  });
});
