// The public library API of buran. Everything exported here is stable API;
// blocker and error codes are part of it.
export { runMachine, taskMachine, runChart, taskChart, taskActorId } from './machines/index.js';
export type { RunContext, RunEvent, RunInput, IntakeOutcome, PreflightOutcome, LeaseOutcome, HandoffOutcome } from '../machines/run.types.js';
export type { TaskContext, TaskEvent, TaskInput, DispatchOutcome, WorkerEnd, WorkerOutcome, MergeOutcome } from '../machines/task.types.js';
export { BLOCKER_CODES, BLOCKER_CODE_LIST, BlockerSchema, makeBlocker, decisionAllowed, OPERATOR_DECISIONS } from './domain/blockers.js';
export type { Blocker, BlockerCode, NextSafeAction, OperatorDecision } from './domain/blockers.js';
export { BuranError, ERROR_CODES, isBuranError } from './domain/errors.js';
export type { BuranErrorCode } from './domain/errors.js';
export { PacketSchema } from './domain/packet.js';
export type { Packet, PacketInput, Reviewer, ReviewPlan } from './domain/packet.js';
export { checkPacket, toTaskSpecs } from './domain/checkPacket.js';
export { loadPacket, parsePacketText } from './domain/loadPacket.js';
export { CompletionSchema, checkCompletion } from './domain/completion.js';
export type { Completion } from './domain/completion.js';
export { ConfigSchema, DEFAULT_CONFIG } from './domain/config.js';
export type { Config } from './domain/config.js';
export { LimitsSchema, DEFAULT_LIMITS } from './domain/limits.js';
export type { Limits } from './domain/limits.js';
export { GateResultSchema } from './domain/gates.js';
export type { GateResult, Finding, Quorum, ReviewerVerdict } from './domain/gates.js';
export { packetHash, contentHash } from './domain/hash.js';
export { ready, criticalPathWeights, scopesOverlap } from './scheduler/index.js';
export type { Problem } from './domain/problems.js';

// The engine: createRunner binds the charts to an effects port, persists every
// transition (events first, then the snapshot) and drives runs; subscribe with
// `onEvent`. Locks keep one driver per run.
export { createRunner } from './engine/runner.js';
export type { RunnerOptions, Runner, RunView, DriveResult, DriveOptions, QueuedCommand } from './engine/runner.js';
export type { RunStatus } from './engine/runStatus.js';
export { createMemoryLocks, createFileLocks } from './engine/locks.js';
export type { RunLocks, HeldLock } from './engine/locks.js';
export type { EngineStore } from './engine/storePort.js';
export { systemClock } from './engine/clock.js';
export type { Clock } from './engine/clock.js';
export type { EventRecord } from './domain/events.js';
export type { OperatorEvent } from './engine/inbox.js';
export type { RunRecord } from './domain/runRecord.js';
// Approving a packet creates a run (nothing runs yet).
export { approvePacket } from './engine/approve.js';
export type { Approved } from './engine/approve.js';
// The effects port, its in-memory twin, the real effects, and the binding of effects to the charts.
export type { EffectsFactory, RunAccess, RunEffects } from './engine/effects.js';
export { createScriptedEffects } from './engine/scriptedEffects.js';
export type { Script, EffectCall } from './engine/scriptedEffects.js';
export { createLocalEffects } from './engine/localEffects.js';
export type { LocalEffectsOptions } from './engine/localEffects.js';
export { bindEffects } from './engine/bindEffects.js';
export type { BindOptions } from './engine/bindEffects.js';
// A repository with a `.buran/` store, as the CLI opens it.
export { openProject } from './engine/project.js';
export type { Project, ProjectOptions } from './engine/project.js';
// The run store: on disk (durable) and its in-memory twin.
export { createFileStore, createMemoryStore } from './store/index.js';
export type { FileStore, FileStoreOptions, MemoryStore, MemoryStoreOptions, RunStore, StoreClock } from './store/index.js';
// Worker adapters: the port, a registry, the `command` adapter, and helpers for writing your own.
export { createAdapterRegistry, createCommandAdapter, buildWorkerEnv, defaultDeriveOutcome, COMMAND_ADAPTER } from './worker/index.js';
// The Claude Code, Codex and Gemini CLI adapters (docs/adapters.md).
export { createAgentAdapters, createClaudeAdapter, createCodexAdapter, createGeminiAdapter } from './worker/adapters/index.js';
export type { AgentAdapterOptions } from './worker/adapters/index.js';
export type {
  WorkerAdapter,
  AdapterRegistry,
  AdapterCheck,
  AdapterCheckContext,
  AttemptOutput,
  AgentRunResult,
  DeriveOutcome,
  Invocation,
  InvocationContext,
  PacketWorker,
  CompletionFileState,
  ExitInfo,
} from './worker/index.js';
// Exact descriptions and exports of the charts (json, scxml, mermaid, dot).
export { describeChart, transitionKey } from './export/describeChart.js';
export type { ChartDescription, StateDescription, TransitionDescription, ActionDescription, GuardDescription, InvokeDescription, ActorDescription, DescribeOptions } from './export/describeChart.js';
export { RUN_SPAWNS } from './machines/index.js';
export { EXPORT_FORMATS, MACHINE_NAMES, describeMachine, exportChart, exportMachine, toJson, toScxml, toMermaid, toDot } from './export/index.js';
export type { ExportFormat, MachineName, ChartJson } from './export/index.js';
