import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkPacket } from '../src/domain/checkPacket.js';
import { renderSchemas } from '../src/domain/jsonSchemas.js';
import { PacketLimitsSchema, PacketSchema, PacketTaskSchema, ReviewSchema, ReviewerSchema, WorkerSchema } from '../src/domain/packet.js';

const root = new URL('../', import.meta.url);

async function readOrEmpty(url: URL): Promise<string> {
  try {
    return await readFile(url, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
    throw error;
  }
}

describe('docs/schemas', () => {
  it.each(Object.entries(renderSchemas()))('%s matches the zod schema', async (name, text) => {
    const onDisk = await readOrEmpty(new URL(`docs/schemas/${name}`, root));
    expect(onDisk, `docs/schemas/${name} is stale: run npm run schemas`).toBe(text);
  });

  it('describes every packet field', () => {
    const undescribed = Object.entries({ ...PacketSchema.shape, ...PacketTaskSchema.shape, ...WorkerSchema.shape, ...PacketLimitsSchema.shape, ...ReviewSchema.shape, ...ReviewerSchema.shape })
      .filter(([, schema]) => schema.description === undefined)
      .map(([name]) => name);
    expect(undescribed).toEqual([]);
  });
});

describe('docs/packet.md', () => {
  it('names every packet, task, worker and limits field', async () => {
    const doc = await readFile(new URL('docs/packet.md', root), 'utf8');
    const fields = Object.keys({ ...PacketSchema.shape, ...PacketTaskSchema.shape, ...WorkerSchema.shape, ...PacketLimitsSchema.shape, ...ReviewSchema.shape, ...ReviewerSchema.shape });
    expect(fields.filter((field) => !doc.includes(`\`${field}\``))).toEqual([]);
  });

  it('shows a YAML and a JSON example that are both valid and the same packet', async () => {
    const doc = await readFile(new URL('docs/packet.md', root), 'utf8');
    const yamlText = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    const jsonText = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    if (yamlText === undefined || jsonText === undefined) throw new Error('docs/packet.md needs a yaml and a json example');
    const fromYaml = checkPacket(parse(yamlText));
    const fromJson = checkPacket(JSON.parse(jsonText));
    expect(fromYaml.problems).toEqual([]);
    expect(fromJson.problems).toEqual([]);
    expect(fromJson.packet).toEqual(fromYaml.packet);
  });
});
