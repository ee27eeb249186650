// buran/queue: attempts on other machines over BullMQ and Redis. A separate
// entry so that embedding `buran` loads no queue client.
export { ATTEMPT_JOB_SCHEMA_ID, ATTEMPT_QUEUE, ATTEMPT_RESULT_SCHEMA_ID, AttemptJobSchema, AttemptResultSchema, CANCEL_EVENT, attemptRef } from './attemptJob.js';
export type { AttemptJob, AttemptJobInput, AttemptResult } from './attemptJob.js';
export type { AttemptJobState, AttemptQueue } from './port.js';
export { openBullmqQueue } from './bullmqQueue.js';
export type { BullmqQueueOptions } from './bullmqQueue.js';
export { createMemoryAttemptQueue } from './memoryQueue.js';
export { closeQueues } from './openQueues.js';
export type { MemoryAttemptQueue } from './memoryQueue.js';
export { DURABLE_SETTINGS, checkRedisDurability, judgeDurability } from './durability.js';
export type { ConfigReader, DurabilityProblem } from './durability.js';
export { DEFAULT_LOCK_MS, DEFAULT_STALLED_INTERVAL_MS, startWorkerAgent } from './workerAgent.js';
export type { RunningAgent, WorkerAgentOptions } from './workerAgent.js';
