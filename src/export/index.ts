// Exact exports of buran's statecharts, built from the chart configs through
// describeChart (never from `machine.toJSON()`, which drops eventless edges
// and guard names): JSON, SCXML, mermaid stateDiagram-v2 and Graphviz DOT.
import type { AnyStateMachine } from 'xstate';
import { describeChart, type ChartDescription } from './describeChart.js';
import { RUN_SPAWNS, runChart, taskChart } from '../machines/index.js';
import { toDot } from './dot.js';
import { toJson } from './json.js';
import { toMermaid } from './mermaid.js';
import { toScxml } from './scxml.js';
import { EXPORT_FORMATS, MACHINE_NAMES, type ExportFormat, type MachineName } from './names.js';

export { CHART_JSON_FORMAT, toJson, type ChartJson } from './json.js';
export { BURAN_ACTOR_TYPE, BURAN_SCXML_NS, SCXML_NS, SCXML_ROOT_ID, scxmlId, toScxml } from './scxml.js';
export { MERMAID_ROOT_ID, mermaidId, mermaidText, toMermaid } from './mermaid.js';
export { DOT_ROOT_ID, dotString, initialNodeId, toDot } from './dot.js';
export { transitionLabel } from './label.js';

export { EXPORT_FORMATS, MACHINE_NAMES, type ExportFormat, type MachineName };

const RENDER: Record<ExportFormat, (chart: ChartDescription) => string> = { json: toJson, scxml: toScxml, mermaid: toMermaid, dot: toDot };

/** The charts as configured in machines/ (the run with what its actions spawn). */
const MACHINES: Record<MachineName, { readonly machine: AnyStateMachine; readonly spawns: Readonly<Record<string, readonly string[]>> }> = {
  run: { machine: runChart, spawns: RUN_SPAWNS },
  task: { machine: taskChart, spawns: {} },
};

/**
 * The exact description of one of buran's charts.
 * @example
 * describeMachine('run').transitions.filter((t) => t.event === 'always');
 */
export function describeMachine(name: MachineName): ChartDescription {
  const { machine, spawns } = MACHINES[name];
  return describeChart(machine, { spawns });
}

/**
 * Render a chart description in one format.
 * @example
 * exportChart(describeChart(myMachine), 'mermaid');
 */
export function exportChart(chart: ChartDescription, format: ExportFormat): string {
  return RENDER[format](chart);
}

/**
 * One of buran's charts in one format: what `buran machine export` prints.
 * @example
 * writeFileSync('run.scxml', exportMachine('run', 'scxml'));
 */
export function exportMachine(name: MachineName, format: ExportFormat): string {
  return exportChart(describeMachine(name), format);
}
