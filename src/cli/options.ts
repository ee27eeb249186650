import { InvalidArgumentError } from 'commander';
import { RUN_ID_PATTERN } from '../domain/runId.js';

/** commander parser for --run: a slug, never a path or shell text. */
export function runIdOption(value: string): string {
  if (!RUN_ID_PATTERN.test(value)) throw new InvalidArgumentError(`"${value}" is not a run id (lowercase letters, digits and '-', at most 64)`);
  return value;
}

export function who(by: string | undefined): string {
  return by ?? process.env['USER'] ?? 'operator';
}
