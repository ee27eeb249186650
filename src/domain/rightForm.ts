/**
 * The right form of a packet field written in the wrong one, built from what
 * the author wrote: `verify: "npm test"` -> `verify: [[npm, test]]`. Pure;
 * added to shape problems so the fix can be copied.
 */

type Key = PropertyKey;

/** A scalar as it reads in a YAML flow list: bare when safe, JSON-quoted when not. */
function flow(item: string): string {
  return /^[\w./@%+=*-][\w./@%+=*-]*$/.test(item) && !/^[-?]/.test(item) ? item : JSON.stringify(item);
}

function list(items: readonly string[]): string {
  return `[${items.map(flow).join(', ')}]`;
}

/** A command line as argv; whitespace splits, as a reader would. */
function argv(text: string): string[] {
  const words = text.trim().split(/\s+/).filter((word) => word !== '');
  return words.length > 0 ? words : ['npm', 'test'];
}

/** True when `path` has `shape`, where 'index' stands for any array index. */
function is(path: readonly Key[], ...shape: readonly string[]): boolean {
  return path.length === shape.length && shape.every((part, i) => (part === 'index' ? typeof path[i] === 'number' : path[i] === part));
}

/**
 * How to write the field at `path` given the string the author wrote there,
 * or null when there is no better hint than the shape message.
 * @example
 * rightForm(['verify'], 'npm test'); // 'write it as a list of argv lists, e.g. verify: [[npm, test]]'
 */
export function rightForm(path: readonly Key[], written: unknown): string | null {
  if (typeof written !== 'string') return null;
  if (is(path, 'verify')) return `write it as a list of commands, each an argv list (no shell), e.g. verify: [${list(argv(written))}]`;
  if (is(path, 'verify', 'index')) return `write each command as an argv list (no shell), e.g. ${list(argv(written))}`;
  if (is(path, 'worker', 'command')) return `write the command as an argv list (no shell), e.g. command: ${list(argv(written))}`;
  if (is(path, 'worker', 'args')) return `write the arguments as a list, e.g. args: ${list(argv(written))}`;
  if (is(path, 'worker')) return `name the adapter inside an object, e.g. worker: { adapter: ${flow(written)} }`;
  if (is(path, 'tasks', 'index', 'scope')) return `write the globs as a list, e.g. scope: ${list(written.split(/[\s,]+/).filter((g) => g !== ''))}`;
  if (is(path, 'tasks', 'index', 'acceptance')) return `write the criteria as a list, one per item, e.g. acceptance: [${JSON.stringify(written)}]`;
  if (is(path, 'tasks', 'index', 'dependsOn')) return `write the task ids as a list, e.g. dependsOn: ${list(written.split(/[\s,]+/).filter((id) => id !== ''))}`;
  if (is(path, 'policy', 'protectedPaths')) return `write the globs as a list, e.g. protectedPaths: ${list(written.split(/[\s,]+/).filter((g) => g !== ''))}`;
  if (is(path, 'policy', 'approvals')) return `write the gates as a list of objects, e.g. approvals: [{ name: ${gateName(written)}, before: handoff }]`;
  if (is(path, 'policy', 'approvals', 'index')) return `write each gate as an object, e.g. { name: ${gateName(written)}, before: handoff }`;
  if (is(path, 'policy', 'approvals', 'index', 'when')) return `write the paths inside an object, e.g. when: { paths: ${list(globs(written))} }`;
  if (is(path, 'policy', 'approvals', 'index', 'when', 'paths')) return `write the globs as a list, e.g. paths: ${list(globs(written))}`;
  return null;
}

const globs = (written: string): string[] => written.split(/[\s,]+/).filter((g) => g !== '');

/** A gate name (slug) made from what was written: `Security Review` -> `security-review`. */
function gateName(written: string): string {
  const slug = written.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return slug === '' ? 'security' : slug;
}

/** The value at `path` in untrusted parsed input, or undefined. */
export function valueAt(raw: unknown, path: readonly Key[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || typeof key === 'symbol') return undefined;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
