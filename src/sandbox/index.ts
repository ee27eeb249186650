export type { Confinement, Sandbox, SandboxChoice, SandboxMode } from './port.js';
export { UNSANDBOXED } from './port.js';
export { bwrapArgs, createBwrapSandbox, isWithin } from './bwrap.js';
export { BWRAP_DIRS, chooseSandbox, probeBwrap, type BwrapProbe } from './probe.js';
export { absolutePath, confineArgv, confinementFor, type ConfineRequest, type SandboxPlan } from './plan.js';
export { effectiveSandboxPolicy } from './policy.js';
export { writableFolders } from './writable.js';
