// The run store: port, on-disk implementation, in-memory twin, run lock.
export type { EventsRead, NewRunIndex, ReadEventsOptions, RunIndexEntry, RunStore, StoreClock, TornTail } from './port.js';
export { type FileStore, type FileStoreOptions, createFileStore } from './fileStore.js';
export { type MemoryRunFile, type MemoryStore, type MemoryStoreHooks, type MemoryStoreOptions, createMemoryStore } from './memoryStore.js';
export { DEFAULT_STORE_DIR, type InitResult, initStore } from './initStore.js';
export { type AcquireLockOptions, type HeldLock, type LockTakeover, acquireLockFile, acquireRunLock } from './runLock.js';
export type { LockHolder, StaleReason } from './runLock.js';
export { processStartTime } from '../platform/process.js';
export { type DurableWriteOptions, writeFileDurable } from '../platform/durableWrite.js';
export { parseJsonDocument, readJsonDocument, readJsonIfPresent } from './jsonDocument.js';
export { type DurableJsonAdapterOptions, createDurableJsonAdapter } from './durableJsonAdapter.js';
export { EventLog, type ParsedEventLog, parseEventLog } from './eventLog.js';
export { type CorruptReason, assertRunId } from './storeErrors.js';
