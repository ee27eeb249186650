import type * as z from 'zod';

/**
 * One thing wrong with an input (packet, completion, config), found by a
 * shape or sufficiency check. Checks collect every problem; none stops at the first.
 *
 * @example
 * { path: 'tasks[1].dependsOn[0]', code: 'unknown_dependency', message: 'depends on unknown task "lint"' }
 */
export interface Problem {
  /** Field path such as `tasks[1].dependsOn[0]`; the whole input is `(root)`. */
  path: string;
  /** What is wrong, in words; read after the path (see `formatProblem`). */
  message: string;
  /** Stable code: one of PROBLEM_CODES, or a zod issue code for shape problems. */
  code: string;
}

/** The path of the whole input. */
export const ROOT_PATH = '(root)';

/**
 * Problem codes buran adds to zod's own issue codes (`invalid_type`,
 * `too_small`, `unrecognized_keys`, ...). Stable public API.
 */
export const PROBLEM_CODES = {
  forbidden_key: 'A field named __proto__, constructor or prototype (never allowed, at any depth).',
  too_deep: 'The input nests deeper than any valid document could.',
  blank: 'Text that is empty once surrounding whitespace is removed.',
  duplicate_id: 'A task id used by an earlier task.',
  unknown_dependency: 'dependsOn names a task the packet does not define.',
  self_dependency: 'A task lists itself in dependsOn.',
  duplicate_dependency: 'dependsOn lists the same task twice.',
  dependency_cycle: 'The tasks depend on each other in a cycle.',
  unsafe_path: 'A path that is absolute, escapes the repository, or points into .git or .buran.',
  unsupported_glob: 'A scope or protected-path glob using syntax buran does not support (a leading !, quotes, unbalanced or one-alternative braces, / inside [...] or (...)).',
  parse_error: 'The file is not valid JSON or YAML.',
  duplicate_key: 'The same key appears twice in one JSON or YAML object.',
  not_found: 'The file does not exist.',
  unreadable: 'The file exists but cannot be read as a regular file.',
  too_large: 'The file is larger than buran accepts.',
  invalid_encoding: 'The file is not valid UTF-8.',
  mismatch: 'A completion names another run, task, attempt or epoch than the one expected.',
  too_many_problems: 'More problems were found than are listed; the count of the rest.',
  unexpanded_variable: 'A setup argument names $BURAN_REPO_ROOT but runs without a shell, so it would be passed literally.',
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `["tasks", 1, "id"]` -> `tasks[1].id`; `[]` -> `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return ROOT_PATH;
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** One line for people: `tasks[0].id: must be a slug ...`. */
export function formatProblem(problem: Problem): string {
  return `${problem.path}: ${problem.message}`;
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

/**
 * Per-parse zod error map with messages that read well after a field path.
 * Messages set on a schema itself still win over these.
 */
export const zodErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${describeInput(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array' && issue.minimum === 1) return 'must have at least one item';
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      return undefined;
    case 'invalid_value':
      return `must be ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    default:
      return undefined;
  }
};

/**
 * zod issues -> Problems. An `unrecognized_keys` issue becomes one problem per
 * unknown field, at that field's own path.
 */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[]): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          path: formatPath([...issue.path, key]),
          code: issue.code,
          message: 'unknown field (fields the schema does not define are rejected)',
        });
      }
    } else if (issue.code === 'invalid_key') {
      const why = issue.issues.map((inner) => inner.message).join('; ');
      problems.push({ path: formatPath(issue.path), code: issue.code, message: `invalid name: ${why}` });
    } else {
      problems.push({ path: formatPath(issue.path), code: issue.code, message: issue.message });
    }
  }
  return problems;
}

/** `primary` followed by those of `secondary` whose path `primary` does not already report. */
export function mergeProblems(primary: readonly Problem[], secondary: readonly Problem[]): Problem[] {
  const seen = new Set(primary.map((problem) => problem.path));
  return [...primary, ...secondary.filter((problem) => !seen.has(problem.path))];
}

/** Problems listed from one check; enough to fix in one pass, bounded for hostile input. */
export const MAX_PROBLEMS = 100;

/** The first MAX_PROBLEMS problems, and one more that counts the rest. */
export function limitProblems(problems: Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const more = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), { path: ROOT_PATH, code: 'too_many_problems', message: `${more} more problems not listed` }];
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any buran document (a packet nests 4 levels) by a wide margin. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Walks parsed, untrusted input for keys that could reach an object's
 * prototype, and for nesting too deep to be a real document. JSON.parse and
 * yaml both keep `__proto__` as an own field, and zod records drop it
 * silently, so it has to be caught before the schema sees the input.
 */
export function findForbiddenKeys(value: unknown): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: unknown, path: PropertyKey[]): void => {
    if (typeof node !== 'object' || node === null) return;
    if (path.length > MAX_INPUT_DEPTH) {
      problems.push({ path: formatPath(path), code: 'too_deep', message: `nested deeper than ${MAX_INPUT_DEPTH} levels` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index]));
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({ path: formatPath([...path, key]), code: 'forbidden_key', message: `"${key}" is never allowed as a field name` });
      } else {
        walk(child, [...path, key]);
      }
    }
  };
  walk(value, []);
  return problems;
}
