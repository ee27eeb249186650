// Pure: what a persisted run snapshot means to a human or a host.
import type { Blocker, NextSafeAction } from '../domain/blockers.js';

export type RunStatus = 'queued' | 'waiting' | 'running' | 'paused' | 'blocked' | 'handoff_ready' | 'cancelled' | 'failed';

interface SnapshotLike {
  readonly value: unknown;
  readonly context: {
    readonly blocker?: Blocker | null;
    readonly lease?: { readonly branch: string; readonly baseCommit: string } | null;
    readonly handoff?: { readonly branch: string } | null;
    readonly waitingFor?: { readonly runId: string; readonly status: string } | null;
  };
}

/** The stage as a dotted path, e.g. `active.implementing` or `blocked`. */
export function stageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? ['', null];
    const rest = stageOf(child);
    return rest === '' ? key : `${key}.${rest}`;
  }
  return '';
}

export function statusOf(snapshot: SnapshotLike): RunStatus {
  const stage = stageOf(snapshot.value);
  switch (stage) {
    case 'readyForReview':
      return 'handoff_ready';
    case 'blocked':
      return 'blocked';
    case 'paused':
      return 'paused';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return 'failed';
    case 'active.intake':
    case 'active.queued':
    case 'active.prerequisites':
      return 'queued';
    case 'active.waiting':
      return 'waiting';
    default:
      return 'running';
  }
}

export function nextSafeActionOf(snapshot: SnapshotLike, runId: string): NextSafeAction {
  const blocker = snapshot.context.blocker ?? null;
  if (blocker !== null && statusOf(snapshot) === 'blocked') return blocker.nextSafeAction;
  switch (statusOf(snapshot)) {
    case 'queued':
    case 'running':
      return { text: 'Drive the run (it continues where it stopped).', command: `buran run --run ${runId}` };
    case 'paused':
      return { text: 'Resume the run when ready.', command: `buran resume --run ${runId}` };
    case 'waiting': {
      const on = snapshot.context.waitingFor;
      const what = on === undefined || on === null ? 'its prerequisite run' : `run ${on.runId} (${on.status} when last checked)`;
      return { text: `Waits for ${what} to be handoff-ready; it starts from that run's handoff commit. Drive it again then.`, command: `buran run --run ${runId}` };
    }
    case 'handoff_ready': {
      const branch = snapshot.context.handoff?.branch ?? snapshot.context.lease?.branch ?? null;
      const base = snapshot.context.lease?.baseCommit ?? null;
      if (branch === null || base === null) return { text: 'Review the run branch and its report, then merge by hand.', command: `buran report --run ${runId}` };
      return {
        text: `Look at the change (its commits: git log ${base}..${branch}; the report: buran report --run ${runId}), then merge ${branch} by hand.`,
        command: `git diff ${base}...${branch}`,
      };
    }
    default:
      return { text: 'Nothing more to do for this run.', command: null };
  }
}
