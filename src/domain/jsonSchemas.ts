import * as z from 'zod';
import { CompletionSchema } from './completion.js';
import { ConfigSchema } from './config.js';
import { PacketSchema } from './packet.js';
import { StatusJsonSchema } from './statusSchema.js';

/**
 * The published JSON Schemas (docs/schemas/*.json), file name -> text.
 * Input side, so fields with defaults are optional for authors; pretty
 * printed with a trailing newline. `npm run schemas` writes them and a test
 * fails when the files on disk are stale.
 */
export function renderSchemas(): Record<string, string> {
  const render = (schema: z.ZodType): string => `${JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2)}\n`;
  return {
    'packet.schema.json': render(PacketSchema),
    'completion.schema.json': render(CompletionSchema),
    'config.schema.json': render(ConfigSchema),
    'status.schema.json': render(StatusJsonSchema),
  };
}
