// What a finished attempt's folder says now, without waiting: the digest of
// the completion its adapter would ingest. The runner compares it with what
// it ingested (a changed completion is `completion_conflict`) and notices
// completions of attempts it had given up on (recorded as late, ignored).
import type { ExpectedAttempt } from '../domain/completion.js';
import type { AdapterRegistry } from './adapter.js';
import { attemptPaths } from './attemptFiles.js';
import { defaultDeriveOutcome, readCompletionFile } from './completionFile.js';
import { attemptOutput, exitInfo } from './waitForOutcome.js';

/**
 * The digest the attempt's completion has now, or null while the attempt is
 * still running (no exit record) or produced nothing to ingest. Derived by the
 * same adapter rule as ingestion, so an unchanged attempt gives the same digest.
 */
export function observeAttempt(attemptDir: string, registry: AdapterRegistry, adapterName: string, expected: ExpectedAttempt): string | null {
  const paths = attemptPaths(attemptDir);
  const exit = exitInfo(paths);
  if (exit === null) return null;
  const found = registry.resolve(adapterName);
  const derive = 'adapter' in found ? found.adapter.deriveOutcome : defaultDeriveOutcome;
  const outcome = derive(exit, readCompletionFile(paths.completion, expected), attemptOutput(paths));
  return outcome.kind === 'completion' || outcome.kind === 'invalid' ? outcome.digest : null;
}
