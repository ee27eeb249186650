import type { Finding, GateResult } from '../domain/gates.js';
import type { ChangedFile, FileDiffLines } from '../workspace/diffParse.js';
import { firstMatch, matchGlob, pathSegments } from './glob.js';

/**
 * The built-in reviewer: deterministic rules over what changed. Pure.
 *
 * It takes no free text at all — no packet goal or instructions, no worker
 * summary, no file contents — only paths, change kinds, line numbers and
 * globs. So nothing a worker writes (a file saying "REVIEW VERDICT: PASS", a
 * summary claiming approval) can reach its verdict; a file's name is matched
 * as a path and nothing more.
 */

export interface BuiltinReviewInput {
  readonly subject: GateResult['subject'];
  readonly taskId?: string;
  readonly epoch: number;
  /** An implementation attempt must change something; a fix may legitimately change nothing new. */
  readonly attemptKind: 'implementation' | 'fix';
  readonly changedFiles: readonly ChangedFile[];
  /** Added line numbers per file, for pointing findings at a line. */
  readonly diffLines: readonly FileDiffLines[];
  readonly task: { readonly scope: readonly string[] };
  /** Config `policy.protectedPaths` plus the packet's additions. */
  readonly protectedPaths: readonly string[];
  /** Files defining the verification (see `verificationDefinitions`). */
  readonly verifyDefinitions: readonly string[];
}

/** Protected whatever the config says: buran's state and git's. */
export const ALWAYS_PROTECTED = ['.buran/**', '.git/**'] as const;

/** Dependency lock files, protected at any depth unless the task scope names the file itself. */
export const LOCKFILE_NAMES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'Cargo.lock',
  'poetry.lock',
  'uv.lock',
  'Pipfile.lock',
  'Gemfile.lock',
  'composer.lock',
  'go.sum',
] as const;

/** Stable rule names of the built-in reviewer. */
export const REVIEW_RULES = ['no_change', 'out_of_scope', 'verification_definition', 'protected_path'] as const;
export type ReviewRule = (typeof REVIEW_RULES)[number];

function isLockfile(path: string): boolean {
  const name = pathSegments(path).at(-1) ?? '';
  return (LOCKFILE_NAMES as readonly string[]).includes(name);
}

/** A scope glob that names this lock file itself (its last segment is the file name, no wildcard). */
function scopeNamesFile(scope: readonly string[], path: string): boolean {
  const name = pathSegments(path).at(-1);
  return scope.some((glob) => pathSegments(glob).at(-1) === name && matchGlob(glob, path));
}

/**
 * Reviews one attempt's changes. Policy rules (`verification_definition`,
 * `protected_path`) go to `policyViolations`, which block the run with
 * `policy_denied` instead of starting a fix; `no_change` and `out_of_scope`
 * are findings, and the gate FAILs so a fix round can correct them.
 *
 * @example
 * builtinReview({ subject: 'task', taskId: 'api', epoch: 1, attemptKind: 'implementation',
 *   changedFiles: [{ path: 'src/api/x.ts', status: 'modified' }], diffLines: [],
 *   task: { scope: ['src/api'] }, protectedPaths: [], verifyDefinitions: [] }).status // 'PASS'
 */
export function builtinReview(input: BuiltinReviewInput): GateResult {
  const firstAdded = new Map(input.diffLines.map((entry) => [entry.path, entry.addedLines[0]]));
  const at = (path: string): Pick<Finding, 'file' | 'line' | 'taskId'> => {
    const line = firstAdded.get(path);
    return { file: path, ...(line === undefined ? {} : { line }), ...(input.taskId === undefined ? {} : { taskId: input.taskId }) };
  };
  const findings: Finding[] = [];
  const policyViolations: Finding[] = [];

  if (input.attemptKind === 'implementation' && input.changedFiles.length === 0) {
    findings.push({
      message: 'the implementation attempt changed no files',
      severity: 'error',
      rule: 'no_change',
      ...(input.taskId === undefined ? {} : { taskId: input.taskId }),
    });
  }

  const files = [...input.changedFiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const { path, status } of files) {
    const definition = firstMatch(input.verifyDefinitions, path, 'any-segment');
    const lockfile = isLockfile(path);
    const name = pathSegments(path).at(-1);
    // Globs that name this lock file are the only protection a scope can lift.
    const hardGlobs = [...ALWAYS_PROTECTED, ...input.protectedPaths].filter((glob) => !(lockfile && pathSegments(glob).at(-1) === name));
    const protectedBy = firstMatch(hardGlobs, path, 'any-segment');
    if (definition !== null) {
      policyViolations.push({
        message: `${path} (${status}) defines the verification (matches ${definition}); changing it could weaken the checks`,
        severity: 'error',
        rule: 'verification_definition',
        ...at(path),
      });
    } else if (protectedBy !== null) {
      policyViolations.push({ message: `${path} (${status}) is a protected path (matches ${protectedBy})`, severity: 'error', rule: 'protected_path', ...at(path) });
    } else if (lockfile && !scopeNamesFile(input.task.scope, path)) {
      policyViolations.push({
        message: `${path} (${status}) is a dependency lock file and the task scope does not name it`,
        severity: 'error',
        rule: 'protected_path',
        ...at(path),
      });
    }
    if (firstMatch(input.task.scope, path, 'literal') === null) {
      findings.push({
        message: `${path} (${status}) is outside the task scope [${input.task.scope.join(', ')}]`,
        severity: 'error',
        rule: 'out_of_scope',
        ...at(path),
      });
    }
  }

  const status: GateResult['status'] = findings.length === 0 && policyViolations.length === 0 ? 'PASS' : 'FAIL';
  return {
    gate: 'review',
    subject: input.subject,
    ...(input.taskId === undefined ? {} : { taskId: input.taskId }),
    epoch: input.epoch,
    status,
    summary: summarize(input.changedFiles.length, findings, policyViolations),
    findings,
    policyViolations,
    evidence: [],
  };
}

function summarize(changed: number, findings: readonly Finding[], violations: readonly Finding[]): string {
  if (findings.length === 0 && violations.length === 0) return `built-in review passed: ${changed} changed file(s), all in scope, none protected`;
  const count = (list: readonly Finding[]): string =>
    [...new Set(list.map((f) => f.rule ?? 'other'))].map((rule) => `${list.filter((f) => f.rule === rule).length} ${rule}`).join(', ');
  return [violations.length > 0 ? `policy violations: ${count(violations)}` : null, findings.length > 0 ? `findings: ${count(findings)}` : null]
    .filter((part) => part !== null)
    .join('; ');
}
