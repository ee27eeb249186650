// Writes docs/schemas/*.json from the zod schemas (npm run schemas).
import { mkdir, writeFile } from 'node:fs/promises';
import { renderSchemas } from '../src/domain/jsonSchemas.js';

const dir = new URL('../docs/schemas/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const [name, text] of Object.entries(renderSchemas())) {
  await writeFile(new URL(name, dir), text, 'utf8');
  console.log(`wrote docs/schemas/${name}`);
}
