// Approve a packet: validate it, record who approved which content hash, keep
// a copy of the packet as an artifact, and create the run (queued once its
// intake passes). Nothing runs here.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { toTaskSpecs } from '../domain/checkPacket.js';
import { BuranError } from '../domain/errors.js';
import { canonicalJson } from '../domain/hash.js';
import { loadPacket } from '../domain/loadPacket.js';
import type { Packet } from '../domain/packet.js';
import { formatProblem } from '../domain/problems.js';
import { RUN_RECORD_SCHEMA_ID, type RunRecord } from '../domain/runRecord.js';
import { docPath } from '../platform/packageRoot.js';
import type { Clock } from './clock.js';
import type { Runner } from './runner.js';
import type { EngineStore } from './storePort.js';

export interface Approved {
  readonly runId: string;
  readonly record: RunRecord;
  readonly packet: Packet;
}

/** A fresh run id: the packet id, a time stamp and 4 random hex digits (a slug, ≤ 64 chars). */
export function newRunId(packetId: string, now: number): string {
  return `${packetId.slice(0, 40)}-${now.toString(36)}-${randomBytes(2).toString('hex')}`;
}

/**
 * Approve a packet file: validate it, record who approved which content hash, keep a copy, and create its run (queued once intake passes).
 * @example
 * const { runId } = await approvePacket({ packetFile: 'packet.yaml', by: 'alice', store, runner, clock: systemClock });
 * await runner.drive(runId);
 */
export async function approvePacket(args: {
  readonly packetFile: string;
  readonly by: string;
  readonly store: EngineStore;
  readonly runner: Runner;
  readonly clock: Clock;
  readonly runId?: string;
}): Promise<Approved> {
  const loaded = await loadPacket(args.packetFile);
  if (loaded.packet === null || loaded.problems.length > 0 || loaded.hash === null) {
    throw new BuranError({
      code: 'invalid_input',
      message: `packet ${loaded.file} is not sufficient:\n${loaded.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
      details: { file: loaded.file, problems: loaded.problems },
      nextSafeAction: { text: `Fix the fields named above (the packet format: ${docPath('packet.md')}), then approve again.`, command: `buran validate ${args.packetFile}` },
    });
  }
  const packet = loaded.packet;
  await checkPrerequisitesExist(args.store, packet, args.packetFile);
  const now = args.clock.now();
  const runId = args.runId ?? newRunId(packet.id, now);
  const at = new Date(now).toISOString();
  const record: RunRecord = {
    schema: RUN_RECORD_SCHEMA_ID,
    runId,
    packetId: packet.id,
    packetFile: resolve(loaded.file),
    approval: { by: args.by, at, hash: loaded.hash },
    createdAt: at,
  };
  await args.runner.createRun({
    runId,
    record,
    input: {
      runId,
      approvedHash: loaded.hash,
      tasks: toTaskSpecs(packet),
      limits: packet.limits,
      deadlineAt: packet.limits.runTimeoutMin === undefined ? null : now + packet.limits.runTimeoutMin * 60_000,
    },
  });
  // The approved content, kept so intake and reports never depend on the file staying put.
  await args.store.putArtifact(runId, canonicalJson(packet));
  return { runId, record, packet };
}

/**
 * Every run named in `after` must exist now. A run id is made at approval, so a packet can only name runs approved
 * before it: the prerequisites of a run are older than the run, and a cycle cannot be formed.
 */
async function checkPrerequisitesExist(store: EngineStore, packet: Packet, packetFile: string): Promise<void> {
  for (const runId of packet.after ?? []) {
    const snapshot = await store.readSnapshot(runId).catch(() => null);
    if (snapshot !== null) continue;
    throw new BuranError({
      code: 'invalid_input',
      message: `packet ${packetFile}: after names run ${runId}, which does not exist in this repository's store`,
      details: { file: packetFile, field: 'after', runId },
      nextSafeAction: { text: 'Name a run approved earlier in this repository (buran status lists them), then approve again.', command: 'buran status' },
    });
  }
}
