// Pure: what a persisted run snapshot means to a human or a host. The status
// of each state is a tag in the run chart (`status:<status>`).
import { runChart } from '../../machines/run.machine.js';
import type { Blocker, NextSafeAction } from '../domain/blockers.js';
import { decideCommand } from './approvalView.js';

export type RunStatus = 'queued' | 'waiting' | 'running' | 'paused' | 'blocked' | 'handoff_ready' | 'cancelled' | 'failed';

interface SnapshotLike {
  readonly value: unknown;
  readonly context: {
    readonly blocker?: Blocker | null;
    readonly lease?: { readonly branch: string; readonly baseCommit: string } | null;
    readonly handoff?: { readonly branch: string } | null;
    readonly waitingFor?: { readonly runId: string; readonly status: string } | null;
    readonly approvals?: { readonly pending: readonly { readonly name: string; readonly onReject: string; readonly by?: readonly string[] }[] } | null;
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

const STATUS_TAG = 'status:';
const RUN_STATUSES: readonly RunStatus[] = ['queued', 'waiting', 'running', 'paused', 'blocked', 'handoff_ready', 'cancelled', 'failed'];

interface TaggedNode {
  readonly tags: readonly string[];
  readonly states: Readonly<Record<string, TaggedNode>>;
}

/** Each state's `status:` tag in the run chart, by dotted path, read once from the chart itself. */
function statusTags(root: TaggedNode): ReadonlyMap<string, RunStatus> {
  const found = new Map<string, RunStatus>();
  const visit = (node: TaggedNode, path: string) => {
    const tag = node.tags.find((t) => t.startsWith(STATUS_TAG))?.slice(STATUS_TAG.length);
    if (tag !== undefined) {
      if (!(RUN_STATUSES as readonly string[]).includes(tag)) throw new Error(`buran: run chart state ${path} has an unknown status tag ${tag}`);
      found.set(path, tag as RunStatus);
    }
    for (const [key, child] of Object.entries(node.states)) visit(child, path === '' ? key : `${path}.${key}`);
  };
  visit(root, '');
  return found;
}

let tagged: ReadonlyMap<string, RunStatus> | null = null;

/**
 * The run's status: the `status:` tag of the deepest state it is in that has
 * one (the chart says it, e.g. `active.waiting` → waiting, any other `active`
 * state → running). A state no tag covers is a broken chart: it throws.
 * @example
 * statusOf({ value: { active: 'queued' }, context: {} }); // 'queued'
 */
export function statusOf(snapshot: SnapshotLike): RunStatus {
  tagged ??= statusTags(runChart.root);
  const parts = stageOf(snapshot.value).split('.');
  for (let n = parts.length; n > 0; n--) {
    const status = tagged.get(parts.slice(0, n).join('.'));
    if (status !== undefined) return status;
  }
  throw new Error(`buran: run state ${parts.join('.')} has no status tag in the run chart`);
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
      const gate = stageOf(snapshot.value) === 'active.awaitingApproval' ? snapshot.context.approvals?.pending[0] : undefined;
      if (gate !== undefined) {
        const onReject = gate.onReject === 'end' ? 'ends the run (failed)' : 'starts a fix round with your reason as the finding';
        return {
          text: `Waits for ${gate.by === undefined ? 'a person' : gate.by.join(' or ')} to decide approval gate ${gate.name}: look at the change (buran report --run ${runId}), then approve, or reject with a reason (a rejection ${onReject}).`,
          command: decideCommand(runId, gate.name),
        };
      }
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
