// The charts as pure configuration (`buran/machines`): what the Stately editor
// imports and what a host provides its own implementations to. For the charts
// with buran's pure logic provided, import `runMachine` / `taskMachine` from 'buran'.
export { runChart, taskActorId } from './run.machine.js';
export { taskChart } from './task.machine.js';
export type * from './run.types.js';
export type * from './task.types.js';
