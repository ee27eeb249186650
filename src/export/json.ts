// Pure: the JSON export is the chart description itself (describeChart), with
// a format tag so a reader can tell the shape. Nothing is dropped or renamed.
import type { ChartDescription } from './describeChart.js';

export const CHART_JSON_FORMAT = 'buran.chart/v1';

/** The document `buran machine export --format json` prints. */
export interface ChartJson extends ChartDescription {
  readonly format: typeof CHART_JSON_FORMAT;
}

/**
 * The chart as pretty-printed JSON (2-space indent, trailing newline).
 * @example
 * const doc = JSON.parse(toJson(describeChart(runChart))) as ChartJson;
 * doc.transitions.filter((t) => t.event === 'always');
 */
export function toJson(chart: ChartDescription): string {
  const doc: ChartJson = { format: CHART_JSON_FORMAT, ...chart };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
