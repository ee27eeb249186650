// A minimal in-memory EngineStore for the engine's unit tests.
import { createHash } from 'node:crypto';
import type { EngineStore } from '../../../src/engine/storePort.js';

export function memStore(): EngineStore & { events: Map<string, unknown[]>; snapshots: Map<string, unknown> } {
  const records = new Map<string, unknown>();
  const snapshots = new Map<string, unknown>();
  const events = new Map<string, unknown[]>();
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    events,
    snapshots,
    createRun: (runId, record) => {
      if (records.has(runId)) return Promise.reject(new Error(`run ${runId} exists`));
      records.set(runId, copy(record));
      events.set(runId, []);
      return Promise.resolve();
    },
    readRecord: (runId) => Promise.resolve(copy(records.get(runId))),
    readSnapshot: (runId) => Promise.resolve(snapshots.has(runId) ? copy(snapshots.get(runId)) : null),
    writeSnapshot: (runId, s) => {
      snapshots.set(runId, copy(s));
      return Promise.resolve();
    },
    appendEvents: (runId, list) => {
      events.get(runId)?.push(...copy(list));
      return Promise.resolve();
    },
    readEvents: (runId) => Promise.resolve(copy(events.get(runId) ?? [])),
    putArtifact: (_runId, content) => Promise.resolve(`sha256:${createHash('sha256').update(content).digest('hex')}`),
  };
}
