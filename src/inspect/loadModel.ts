// Read one run for the inspector through the store and the runner's read-only
// view (never taking the run lock, never repairing the log), then build the
// model. Safe while another process drives the run.
import { BuranError } from '../domain/errors.js';
import { type Packet, PacketSchema } from '../domain/packet.js';
import { RunRecordSchema } from '../domain/runRecord.js';
import type { Project } from '../engine/project.js';
import { statusJson } from '../engine/statusView.js';
import { readSandboxRecord } from '../engine/sandboxChoice.js';
import { setupOf } from '../engine/setupView.js';
import { unconfirmedHooks } from '../engine/unconfirmedHooks.js';
import { inspectorCharts } from './charts.js';
import { type InspectModel, buildInspectModel } from './model.js';

export type InspectSource = Pick<Project, 'store' | 'runner' | 'storeDir'>;

function corrupt(runId: string, what: string): BuranError {
  return new BuranError({ code: 'store_corrupt', message: `run ${runId}: ${what}`, details: { runId, what } });
}

/** The inspector model of `runId`; `not_found` for a run the store does not list. */
export async function loadInspectModel(project: InspectSource, runId: string, now: () => number = Date.now): Promise<InspectModel> {
  const runs = await project.store.listRuns();
  if (!runs.some((r) => r.runId === runId)) {
    throw new BuranError({
      code: 'not_found',
      message: `no run ${runId} in ${project.storeDir}`,
      details: { runId },
      nextSafeAction: { text: 'List the runs and use one of their ids.', command: 'buran status' },
    });
  }
  const record = RunRecordSchema.safeParse(await project.store.readRecord(runId));
  if (!record.success) throw corrupt(runId, 'run.json does not match the run record schema');
  // The view first (it checks the seal and every artifact the records name), then the log: a driver
  // writes events before the snapshot that includes them, so the log read second is at least as new.
  const view = await project.runner.inspect(runId);
  const packet = view.blocker?.code === 'evidence_tampered' ? null : await approvedPacket(project, runId, record.data.approval.hash);
  const events = await project.runner.events(runId);
  const charts = inspectorCharts();
  return buildInspectModel({
    view,
    status: statusJson(view, events.at(-1)?.ts ?? null, project.store.runDir(runId), now, await readSandboxRecord(project.store.runDir(runId)), null, await setupOf(project, view, events), unconfirmedHooks(events)),
    record: record.data,
    packet,
    events,
    runChart: charts.run,
    taskChart: charts.task,
    now: now(),
  });
}

async function approvedPacket(project: InspectSource, runId: string, hash: string): Promise<Packet> {
  const bytes = await project.store.getArtifact(runId, hash);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new BuranError({ code: 'store_corrupt', message: `run ${runId}: the approved packet copy is not JSON`, details: { runId }, cause: error });
  }
  const packet = PacketSchema.safeParse(raw);
  if (!packet.success) throw corrupt(runId, 'the approved packet copy does not parse');
  return packet.data;
}
