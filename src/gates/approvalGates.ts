// Pure: which of a packet's approval gates apply to a run's change. A gate
// applies when any one of its conditions holds: a changed file matches one of
// its `when.paths` globs (the scope matcher's reading: a glob covers
// everything below what it matches), or the change adds a dependency
// (`when.dependencies`); a gate without conditions always applies. A gate
// `before: pullRequest` applies only when the handoff opens a pull request.
// Order is the packet's; a skipped gate says why.
import type { AddedDependencies, ApprovalOutcome } from '../../machines/run.types.js';
import type { ApprovalGate } from '../domain/packet.js';
import { matchGlob } from './glob.js';

/** What the gates are judged on: the run's change and its handoff. */
export interface ChangeFacts {
  readonly changedFiles: readonly string[];
  /** Per changed manifest, the dependencies it adds (or why it could not be read). */
  readonly dependencies: readonly AddedDependencies[];
  /** Whether the handoff opens a pull request (config policy.pullRequest.enabled). */
  readonly pullRequest: boolean;
}

/** Whether any gate needs the change's dependencies worked out (reading manifests costs git processes). */
export const asksAboutDependencies = (gates: readonly ApprovalGate[]): boolean => gates.some((gate) => gate.when?.dependencies === true);

const withBy = (gate: ApprovalGate) => (gate.by === undefined ? {} : { by: [...gate.by] });

/**
 * The gates the run must wait for and the ones skipped, for its change.
 * @example
 * approvalsFor([{ name: 'security', before: 'handoff', onReject: 'fix', when: { paths: ['src/auth/**'] } }], { changedFiles: ['README.md'], dependencies: [], pullRequest: false });
 * // → { pending: [], skipped: [{ name: 'security', paths: ['src/auth/**'], reason: 'no changed file matches src/auth/**' }] }
 */
export function approvalsFor(gates: readonly ApprovalGate[], facts: ChangeFacts): ApprovalOutcome {
  const pending: ApprovalOutcome['pending'][number][] = [];
  const skipped: ApprovalOutcome['skipped'][number][] = [];
  for (const gate of gates) {
    const paths = gate.when?.paths ?? [];
    if (gate.before === 'pullRequest' && !facts.pullRequest) {
      skipped.push({ name: gate.name, paths: [...paths], reason: 'the handoff opens no pull request (config policy.pullRequest.enabled is false)' });
      continue;
    }
    const asksPaths = gate.when?.paths !== undefined;
    const asksDependencies = gate.when?.dependencies === true;
    if (!asksPaths && !asksDependencies) {
      pending.push({ name: gate.name, onReject: gate.onReject, matched: [], ...withBy(gate) });
      continue;
    }
    const matched = facts.changedFiles.filter((file) => paths.some((glob) => matchGlob(glob, file)));
    const dependencies = asksDependencies ? facts.dependencies : [];
    if (matched.length > 0 || dependencies.length > 0) {
      pending.push({ name: gate.name, onReject: gate.onReject, matched, ...(asksDependencies ? { dependencies: [...dependencies] } : {}), ...withBy(gate) });
      continue;
    }
    const why = [...(asksPaths ? [`no changed file matches ${paths.join(', ')}`] : []), ...(asksDependencies ? ['the change adds no dependency'] : [])];
    skipped.push({ name: gate.name, paths: [...paths], reason: why.join('; ') });
  }
  return { pending, skipped };
}
