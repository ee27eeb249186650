// Pure: which of a packet's approval gates apply to a run's change. A gate
// with `when.paths` applies only when a changed file matches one of its globs
// (the scope matcher's reading: a glob covers everything below what it
// matches); a gate without it always applies. Order is the packet's.
import type { ApprovalOutcome } from '../../machines/run.types.js';
import type { ApprovalGate } from '../domain/packet.js';
import { matchGlob } from './glob.js';

/**
 * The gates the run must wait for and the ones skipped, for the files its change touches.
 * @example
 * approvalsFor([{ name: 'security', before: 'handoff', onReject: 'fix', when: { paths: ['src/auth/**'] } }], ['README.md']);
 * // → { pending: [], skipped: [{ name: 'security', paths: ['src/auth/**'] }] }
 */
export function approvalsFor(gates: readonly ApprovalGate[], changedFiles: readonly string[]): ApprovalOutcome {
  const pending: ApprovalOutcome['pending'][number][] = [];
  const skipped: ApprovalOutcome['skipped'][number][] = [];
  for (const gate of gates) {
    if (gate.before !== 'handoff') continue;
    const paths = gate.when?.paths;
    if (paths === undefined) {
      pending.push({ name: gate.name, onReject: gate.onReject, matched: [] });
      continue;
    }
    const matched = changedFiles.filter((file) => paths.some((glob) => matchGlob(glob, file)));
    if (matched.length > 0) pending.push({ name: gate.name, onReject: gate.onReject, matched });
    else skipped.push({ name: gate.name, paths: [...paths] });
  }
  return { pending, skipped };
}
