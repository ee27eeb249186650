// Pure: everything the inspector page shows about one run, as JSON: the run
// as `status --json` sees it now, its packet's titles, the event log and the
// replayed frame after each event.
import type { EventRecord } from '../domain/events.js';
import type { Packet } from '../domain/packet.js';
import type { RunRecord } from '../domain/runRecord.js';
import type { RunView } from '../engine/runner.js';
import type { StatusJson } from '../engine/statusView.js';
import type { ChartGraph } from './chartGraph.js';
import { type Frame, replayEvents } from './replay.js';

export const INSPECT_MODEL_SCHEMA = 'buran.inspect/v1';

export interface InspectTask {
  readonly id: string;
  readonly title: string | null;
  readonly dependsOn: readonly string[];
}

export interface InspectModel {
  readonly schema: typeof INSPECT_MODEL_SCHEMA;
  readonly runId: string;
  readonly packetId: string;
  readonly title: string | null;
  readonly approval: RunRecord['approval'];
  /** The run now, exactly as `buran status --run <id> --json` reports it. */
  readonly status: StatusJson;
  readonly tasks: readonly InspectTask[];
  /** The whole event log, in order. */
  readonly events: readonly EventRecord[];
  /** `frames[i]`: the state after `events[i]`. */
  readonly frames: readonly Frame[];
  /**
   * Whether the last frame's run state equals the snapshot's stage. It can be
   * false for a moment while a driver runs (the snapshot is written after the
   * events it includes); the log is the record of what happened.
   */
  readonly replayMatchesSnapshot: boolean;
  /** ISO time the model was read. */
  readonly readAt: string;
}

export interface ModelInput {
  readonly view: RunView;
  readonly status: StatusJson;
  readonly record: RunRecord;
  /** The approved packet copy; null when the run's records are not trusted (the view is evidence_tampered). */
  readonly packet: Packet | null;
  readonly events: readonly EventRecord[];
  readonly runChart: ChartGraph;
  readonly taskChart: ChartGraph;
  readonly now: number;
}

export function buildInspectModel(input: ModelInput): InspectModel {
  const { view, record, packet, events } = input;
  const titles = new Map((packet?.tasks ?? []).map((t) => [t.id, t.title]));
  const tasks: InspectTask[] = view.snapshot.context.tasks.map((t) => ({ id: t.id, title: titles.get(t.id) ?? null, dependsOn: t.dependsOn }));
  const frames = replayEvents({
    runId: view.runId,
    events,
    taskIds: tasks.map((t) => t.id),
    initialRunState: view.stage,
    lease: view.snapshot.context.lease,
    handoff: view.snapshot.context.handoff,
    runChart: input.runChart,
    taskChart: input.taskChart,
  });
  const last = frames.at(-1);
  return {
    schema: INSPECT_MODEL_SCHEMA,
    runId: view.runId,
    packetId: record.packetId,
    title: packet?.title ?? record.packetId,
    approval: record.approval,
    status: input.status,
    tasks,
    events,
    frames,
    replayMatchesSnapshot: last === undefined || last.run === view.stage,
    readAt: new Date(input.now).toISOString(),
  };
}
