// Reading a Node system error. Node builtins only (the detached supervisor
// imports the platform folder).

/**
 * The `code` of a Node system error (`ENOENT`, `EEXIST`, `ESRCH`, ...), or
 * undefined for anything else.
 *
 * @example
 * if (errnoCode(error) === 'ENOENT') return null;
 */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
