import type * as z from 'zod';
import { globSyntaxProblem } from './globSyntax.js';
import { type Packet, PacketSchema } from './packet.js';
import { type Problem, findForbiddenKeys, formatPath, limitProblems, mergeProblems, problemsFromZod, zodErrorMap } from './problems.js';
import { rightForm, valueAt } from './rightForm.js';
import type { TaskSpec } from './task.js';

/** The outcome of checking a packet: the packet only when there are no problems. */
export interface PacketCheck {
  readonly packet: Packet | null;
  readonly problems: Problem[];
}

/**
 * Checks untrusted input (parsed JSON or YAML) as a work packet: its shape,
 * then sufficiency beyond shape (task graph, blank text, safe scope paths).
 * Pure. Every problem is reported, each with its field path; sufficiency is
 * checked even when the shape is wrong, so one pass lists everything.
 *
 * @example
 * const { packet, problems } = checkPacket(JSON.parse(text));
 * if (packet === null) console.error(problems.map(formatProblem).join('\n'));
 */
export function checkPacket(raw: unknown): PacketCheck {
  const forbidden = findForbiddenKeys(raw);
  const shape = PacketSchema.safeParse(raw, { error: zodErrorMap });
  const shapeProblems = shape.success ? [] : withRightForms(raw, shape.error.issues);
  const problems = mergeProblems(mergeProblems(forbidden, shapeProblems), sufficiencyProblems(raw));
  return { packet: shape.success && problems.length === 0 ? shape.data : null, problems: limitProblems(problems) };
}

/** Shape problems, each wrong-typed field's message ending with its right form built from what was written. */
function withRightForms(raw: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const hints = new Map<string, string>();
  for (const issue of issues) {
    if (issue.code !== 'invalid_type') continue;
    const hint = rightForm(issue.path, valueAt(raw, issue.path));
    if (hint !== null) hints.set(formatPath(issue.path), hint);
  }
  return problemsFromZod(issues).map((problem) => {
    const hint = hints.get(problem.path);
    return hint === undefined ? problem : { ...problem, message: `${problem.message}; ${hint}` };
  });
}

/** An unsafe path (`unsafe_path`) or glob syntax buran does not support (`unsupported_glob`) at `path`, if any. */
function globProblem(glob: unknown, path: readonly PropertyKey[], options: { allowInternal?: boolean } = {}): Problem | null {
  if (typeof glob !== 'string') return null;
  const unsafe = repoPathProblem(glob, options);
  if (unsafe !== null) return { path: formatPath(path), code: 'unsafe_path', message: unsafe };
  const syntax = globSyntaxProblem(glob);
  return syntax === null ? null : { path: formatPath(path), code: 'unsupported_glob', message: syntax };
}

/**
 * The scheduler's view of each task, in packet order.
 * @example
 * const input = { runId, approvedHash, tasks: toTaskSpecs(packet), limits: packet.limits };
 */
export function toTaskSpecs(packet: Packet): TaskSpec[] {
  return packet.tasks.map((task) => ({
    id: task.id,
    dependsOn: [...task.dependsOn],
    scope: [...task.scope],
    ...(task.estimateMin === undefined ? {} : { estimateMin: task.estimateMin }),
  }));
}

const INTERNAL_DIRS = ['.git', '.buran'];

/**
 * Why a repo-relative path or glob is unsafe as a scope, or null when it is
 * fine. With `allowInternal`, paths under .git and .buran are allowed (for
 * protected paths, which may name them).
 */
export function repoPathProblem(path: string, options: { allowInternal?: boolean } = {}): string | null {
  if (path.trim() === '') return 'must not be blank';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters';
  if (path.includes('\\')) return "must use '/' as separator; backslashes are not allowed";
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be relative to the repository root, not absolute';
  if (path.startsWith('~')) return "must not start with '~'";
  const segments = path.split('/');
  if (segments.includes('..')) return "must stay inside the repository (no '..' segments)";
  if (options.allowInternal !== true) {
    const first = segments.find((segment) => segment !== '' && segment !== '.');
    // Case-insensitive: .GIT is .git on macOS and Windows file systems.
    if (segments.some((segment) => segment.toLowerCase() === '.git') || (first !== undefined && INTERNAL_DIRS.includes(first.toLowerCase()))) {
      return 'must not be .git or .buran or a path under them';
    }
  }
  return null;
}

/** Programs that expand variables in their arguments themselves (a setup command spelled `["sh", "-c", "..."]`). */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);
const REPO_ROOT_REFERENCE = /\$(?:BURAN_REPO_ROOT\b|\{BURAN_REPO_ROOT\})/;
const UNEXPANDED_MESSAGE =
  'names $BURAN_REPO_ROOT, but setup commands run without a shell and nothing expands it; write the command as ["sh", "-c", "..."] ' +
  '(e.g. ["sh", "-c", "ln -s \\"$BURAN_REPO_ROOT/node_modules\\" node_modules"])';

/** The index of the first argument that names $BURAN_REPO_ROOT in a command no shell runs, or null. */
function unexpandedVariable(argv: readonly unknown[]): number | null {
  const program = argv[0];
  if (typeof program !== 'string' || SHELLS.has(program.split('/').at(-1) ?? program)) return null;
  const index = argv.findIndex((arg) => typeof arg === 'string' && REPO_ROOT_REFERENCE.test(arg));
  return index === -1 ? null : index;
}

type Loose = Record<string, unknown>;

function isLoose(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The items of an array field, or none when it is not an array. */
function itemsOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function blank(value: unknown, path: readonly PropertyKey[], out: Problem[]): void {
  if (typeof value === 'string' && value.length > 0 && value.trim() === '') {
    out.push({ path: formatPath(path), code: 'blank', message: 'must not be blank (only whitespace)' });
  }
}

interface Edge {
  readonly to: string;
  readonly path: string;
}

/**
 * Sufficiency rules, read from the raw input so they run even when the shape
 * is wrong; anything of the wrong type is skipped here (the shape check
 * reports it).
 */
function sufficiencyProblems(raw: unknown): Problem[] {
  if (!isLoose(raw)) return [];
  const out: Problem[] = [];
  blank(raw['title'], ['title'], out);
  blank(raw['goal'], ['goal'], out);
  if (Array.isArray(raw['verify']) && raw['verify'].length === 0) {
    out.push({ path: 'verify', code: 'too_small', message: 'at least one verification command is required' });
  }
  itemsOf(raw['setup']).forEach((argv, i) => {
    const problem = unexpandedVariable(itemsOf(argv));
    if (problem !== null) out.push({ path: formatPath(['setup', i, problem]), code: 'unexpanded_variable', message: UNEXPANDED_MESSAGE });
  });
  const policy = raw['policy'];
  if (isLoose(policy)) {
    itemsOf(policy['protectedPaths']).forEach((item, i) => {
      const problem = globProblem(item, ['policy', 'protectedPaths', i], { allowInternal: true });
      if (problem !== null) out.push(problem);
    });
    approvalProblems(policy['approvals'], out);
  }

  const tasks = itemsOf(raw['tasks']);
  const firstIndex = new Map<string, number>();
  tasks.forEach((task, i) => {
    if (!isLoose(task) || typeof task['id'] !== 'string') return;
    const earlier = firstIndex.get(task['id']);
    if (earlier === undefined) firstIndex.set(task['id'], i);
    else out.push({ path: formatPath(['tasks', i, 'id']), code: 'duplicate_id', message: `duplicate task id "${task['id']}" (first used by tasks[${earlier}])` });
  });

  const edges = new Map<string, Edge[]>();
  tasks.forEach((task, i) => {
    if (!isLoose(task)) return;
    blank(task['title'], ['tasks', i, 'title'], out);
    blank(task['instructions'], ['tasks', i, 'instructions'], out);
    itemsOf(task['acceptance']).forEach((item, j) => blank(item, ['tasks', i, 'acceptance', j], out));
    itemsOf(task['scope']).forEach((item, j) => {
      const problem = globProblem(item, ['tasks', i, 'scope', j]);
      if (problem !== null) out.push(problem);
    });

    const id = typeof task['id'] === 'string' ? task['id'] : undefined;
    // Only the first task with an id takes part in the graph; later duplicates are already reported.
    const owner = id !== undefined && firstIndex.get(id) === i;
    const ownEdges: Edge[] = [];
    if (owner) edges.set(id, ownEdges);
    const seen = new Set<string>();
    itemsOf(task['dependsOn']).forEach((dep, j) => {
      if (typeof dep !== 'string') return;
      const path = formatPath(['tasks', i, 'dependsOn', j]);
      if (seen.has(dep)) out.push({ path, code: 'duplicate_dependency', message: `lists "${dep}" more than once` });
      else if (dep === id) out.push({ path, code: 'self_dependency', message: `task "${dep}" cannot depend on itself` });
      else if (!firstIndex.has(dep)) out.push({ path, code: 'unknown_dependency', message: `depends on unknown task "${dep}"` });
      else if (owner) ownEdges.push({ to: dep, path });
      seen.add(dep);
    });
  });
  out.push(...cycleProblems([...firstIndex.keys()], edges));
  return out;
}

/** Approval gates: unique names, and `when.paths` globs as safe and supported as scope globs. */
function approvalProblems(approvals: unknown, out: Problem[]): void {
  const seen = new Map<string, number>();
  itemsOf(approvals).forEach((gate, i) => {
    if (!isLoose(gate)) return;
    const name = gate['name'];
    if (typeof name === 'string') {
      const first = seen.get(name);
      if (first === undefined) seen.set(name, i);
      else out.push({ path: formatPath(['policy', 'approvals', i, 'name']), code: 'duplicate_id', message: `duplicate approval gate "${name}" (first used by policy.approvals[${first}]); give each gate its own name` });
    }
    const when = gate['when'];
    if (!isLoose(when)) return;
    itemsOf(when['paths']).forEach((item, j) => {
      const problem = globProblem(item, ['policy', 'approvals', i, 'when', 'paths', j]);
      if (problem !== null) out.push(problem);
    });
  });
}

/** Cycles listed at most; one is enough to block, a few help fix a tangled graph. */
const MAX_CYCLES = 10;

/**
 * One problem per distinct dependency cycle (up to MAX_CYCLES), at the
 * dependsOn entry that closes it. Iterative depth-first search, so a long
 * chain cannot overflow the stack.
 */
function cycleProblems(ids: readonly string[], edges: ReadonlyMap<string, readonly Edge[]>): Problem[] {
  const done = new Set<string>();
  const onStack = new Map<string, number>(); // id -> index in stack
  const reported = new Set<string>();
  const problems: Problem[] = [];
  for (const start of ids) {
    if (done.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    onStack.set(start, 0);
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const edge = edges.get(top.id)?.[top.next];
      top.next += 1;
      if (edge === undefined) {
        done.add(top.id);
        onStack.delete(top.id);
        stack.pop();
        continue;
      }
      const from = onStack.get(edge.to);
      if (from !== undefined) {
        const cycle = stack.slice(from).map((frame) => frame.id);
        const key = [...cycle].sort().join('\n');
        if (reported.has(key)) continue;
        reported.add(key);
        problems.push({
          path: edge.path,
          code: 'dependency_cycle',
          message: `dependency cycle: ${[...cycle, edge.to].join(' -> ')} (each task depends on the next)`,
        });
        if (problems.length >= MAX_CYCLES) return problems;
      } else if (!done.has(edge.to)) {
        onStack.set(edge.to, stack.length);
        stack.push({ id: edge.to, next: 0 });
      }
    }
  }
  return problems;
}
