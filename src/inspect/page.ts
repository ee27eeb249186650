// The inspector page of one run: model (store) → layout (ELK, once per
// process) → HTML. The charts do not depend on the run, so they are laid out
// and drawn once and reused by every page.
import { inspectorCharts } from './charts.js';
import { type PageCharts, type PageOptions, renderInspectorPage } from './html.js';
import { layoutChart } from './layout.js';
import { type InspectSource, loadInspectModel } from './loadModel.js';
import { chartSvg } from './svg.js';

let drawn: Promise<PageCharts> | null = null;

/** The run and task charts as inline SVG (laid out on first use). */
export function inspectorSvgs(): Promise<PageCharts> {
  if (drawn === null) {
    const charts = inspectorCharts();
    drawn = Promise.all([layoutChart(charts.run), layoutChart(charts.task)]).then(([run, task]) => ({
      run: chartSvg(run, { id: 'run-chart', title: 'run statechart' }),
      task: chartSvg(task, { id: 'task-chart', title: 'task statechart', badges: true }),
    }));
    drawn.catch(() => (drawn = null));
  }
  return drawn;
}

/** The self-contained inspector page of `runId`. */
export async function inspectorPage(source: InspectSource, runId: string, options: PageOptions): Promise<string> {
  const [model, charts] = await Promise.all([loadInspectModel(source, runId), inspectorSvgs()]);
  return renderInspectorPage(model, charts, options);
}
