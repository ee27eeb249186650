// Commands are defined up front (commander needs their options for parsing and
// --help) but their code is imported only when one runs: `buran --help` loads
// no command module, `buran status` only the status one.
import type { Io } from './io.js';

/** The code of a command: the CLI's Io first, then what commander passes to the action. */
export type CommandAction<A extends unknown[]> = (io: Io, ...args: A) => Promise<void> | void;

/**
 * A commander action that imports its module on use.
 * @example
 * .action(lazyAction(io, async () => (await import('../actions/status.js')).statusAction))
 */
export function lazyAction<A extends unknown[]>(io: Io, load: () => Promise<CommandAction<A>>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const action = await load();
    await action(io, ...args);
  };
}
