// What `buran schema` does; its definition is in ../commands/schema.ts.
import { renderSchemas } from '../../domain/jsonSchemas.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';


export function schemaAction(io: Io, name: string): void {
  io.out((renderSchemas()[`${name}.schema.json`] ?? '').trimEnd());
  io.exit(EXIT.ok);
}
