// The worker layer: adapters (port + `command`), the detached supervisor, the
// attempt handle, the prompt. The engine provides `dispatchWorker` /
// `awaitCompletion` from dispatchAttempt / awaitAttempt.
export { createAdapterRegistry } from './adapter.js';
export { NO_OUTPUT } from './adapter.js';
export type {
  AgentRunResult,
  AgentRunState,
  AttemptOutput,
  AdapterCheck,
  AdapterCheckContext,
  AdapterRegistry,
  AdapterUnavailable,
  DeriveOutcome,
  Invocation,
  InvocationContext,
  PacketWorker,
  WorkerAdapter,
} from './adapter.js';
export { COMMAND_ADAPTER, allowedEnvNames, buildWorkerEnv, createCommandAdapter, deriveCommandOutcome } from './commandAdapter.js';
export { attemptStatus, reattachAttempt, startAttempt } from './attempt.js';
export type { AttemptStatus, StartAttemptSpec, StartedAttempt } from './attempt.js';
export { killAttempt } from './killAttempt.js';
export type { KillOptions, KillResult } from './killAttempt.js';
export { ATTEMPT_FILES, attemptPaths } from './attemptFiles.js';
export type { AttemptPaths, ExitRecord, KillReason, KillRecord, PidRecord, SupervisorSpec } from './attemptFiles.js';
export { MAX_COMPLETION_BYTES, defaultDeriveOutcome, describeExit, outcomeFromCompletionFile, readCompletionFile } from './completionFile.js';
export type { CompletionFileState, ExitInfo } from './completionFile.js';
export { awaitAttempt, dispatchAttempt } from './dispatch.js';
export type { AwaitAttemptInput, DispatchAttemptInput } from './dispatch.js';
export { buildPrompt, fence } from './prompt.js';
export type { PreviousVerification, PromptInput } from './prompt.js';
export { supervisorCommand } from './supervisor.js';
export { createSupervisorPool, sharedSupervisorPool } from './supervisorPool.js';
export type { SupervisorPool, SupervisorPoolOptions, WarmSupervisor } from './supervisorPool.js';
export { sanitizeForDisplay, tail } from './tail.js';
export { RESULT_TAIL_BYTES, attemptOutput, waitForOutcome } from './waitForOutcome.js';
export type { WaitOptions } from './waitForOutcome.js';
