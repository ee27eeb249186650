// The two charts the inspector draws, described once per process.
import { describeChart } from '../export/describeChart.js';
import { runMachine, taskMachine } from '../machines/index.js';
import { type ChartGraph, chartGraph } from './chartGraph.js';

export interface InspectorCharts {
  readonly run: ChartGraph;
  readonly task: ChartGraph;
}

let charts: InspectorCharts | null = null;

/** The run chart (`run-` ids) and the task chart (`task-` ids), from the machines' configs. */
export function inspectorCharts(): InspectorCharts {
  charts ??= { run: chartGraph(describeChart(runMachine), 'run'), task: chartGraph(describeChart(taskMachine), 'task') };
  return charts;
}
