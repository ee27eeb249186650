// The inspector page's stylesheet (inline; system monospace and sans-serif
// fonts only, so nothing is fetched). Highlights are classes set by the page.
export const INSPECTOR_CSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --hl: #ffd966; --hl-ink: #7a4b00; --taken: #d97706; --bad: #cf222e; --bad-bg: #ffebe9; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 4px; font-size: 18px; }
header .meta { margin: 0; color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, monospace; font-size: 12px; }
main { display: grid; gap: 16px; padding: 16px 20px; }
.top { display: grid; grid-template-columns: minmax(260px, 1fr) minmax(320px, 1.3fr) minmax(320px, 1.3fr); gap: 16px; align-items: start; }
section { border: 1px solid var(--line); border-radius: 8px; padding: 12px; background: #fff; min-width: 0; }
section h2 { margin: 0 0 8px; font-size: 15px; }
.chart-wrap { overflow: auto; max-width: 100%; }
.chart-wrap svg.chart { max-width: 100%; height: auto; }
.chart-wrap.actual svg.chart { max-width: none; }
button.zoom { font-size: 12px; font-weight: normal; margin-left: 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.chip { display: inline-block; padding: 0 6px; border-radius: 10px; background: var(--panel); border: 1px solid var(--line); font-family: ui-monospace, monospace; font-size: 12px; }
.chip.current { background: var(--hl); border-color: var(--hl-ink); color: var(--hl-ink); }
.chip.status-blocked, .chip.state-blocked { background: var(--bad-bg); border-color: var(--bad); color: var(--bad); }
.chip.status-handoff_ready { border-color: var(--ok); color: var(--ok); }
#blocker, #unconfirmed { margin-top: 10px; padding: 8px 10px; border: 1px solid var(--bad); background: var(--bad-bg); border-radius: 6px; }
#blocker h3, #unconfirmed h3 { margin: 0 0 4px; font-size: 14px; color: var(--bad); }
#unconfirmed ul { margin: 0; padding-left: 18px; }
#next-action { margin-top: 10px; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; }
#next-action h3 { margin: 0 0 4px; font-size: 14px; }
#next-action.urgent { border-color: var(--bad); }
.note { color: var(--muted); font-size: 12px; }
#live { font-size: 12px; color: var(--ok); }
#live.down { color: var(--bad); }
.controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.controls input[type=range] { flex: 1 1 140px; }
button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); cursor: pointer; }
button:disabled { opacity: 0.45; cursor: default; }
#step-label { font-size: 12px; color: var(--muted); }
#event-detail { margin-top: 8px; }
#event-data { max-height: 160px; overflow: auto; background: var(--panel); padding: 6px; margin: 4px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
#timeline { list-style: none; margin: 8px 0 0; padding: 0; max-height: 320px; overflow: auto; border-top: 1px solid var(--line); }
#timeline li { padding: 2px 4px; border-bottom: 1px solid #eef1f4; cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#timeline li.current { background: var(--hl); color: var(--hl-ink); }
#timeline li .who { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
#tasks tbody tr { cursor: pointer; }
#tasks tbody tr.selected { outline: 2px solid var(--hl-ink); outline-offset: -2px; }
svg.chart { display: block; font-family: ui-monospace, monospace; }
svg.chart .state .box { fill: #fff; stroke: #8c959f; stroke-width: 1.2; }
svg.chart .state-compound > .box, svg.chart .state-parallel > .box { fill: #f6f8fa; }
svg.chart .state-final .final-ring { fill: none; stroke: #8c959f; }
svg.chart .state-history circle { fill: #fff; stroke: #8c959f; }
svg.chart .state-name { font-size: 12px; fill: var(--ink); }
svg.chart .compound-name { font-weight: 600; }
svg.chart .initial-dot { fill: var(--ink); }
svg.chart .badge { font-size: 10px; fill: var(--hl-ink); font-weight: 600; }
svg.chart .state.ancestor > .box { stroke: var(--hl-ink); stroke-width: 2; stroke-dasharray: 5 3; }
svg.chart .state.current > .box, svg.chart .state.current > circle { fill: var(--hl); stroke: var(--hl-ink); stroke-width: 2.5; }
svg.chart .state.current[data-path="blocked"] > .box { fill: var(--bad-bg); stroke: var(--bad); }
svg.chart .edge polyline { fill: none; stroke: #8c959f; stroke-width: 1.1; }
svg.chart .edge.taken polyline { stroke: var(--taken); stroke-width: 2.5; }
svg.chart marker.arrow path { fill: #8c959f; }
svg.chart marker.arrow-taken path { fill: var(--taken); }
svg.chart .edge-label rect { fill: #fff; fill-opacity: 0.85; }
svg.chart .edge-label text { font-size: 10px; fill: var(--muted); }
svg.chart .edge-label.taken text { fill: var(--taken); font-weight: 600; }
@media (max-width: 1100px) { .top { grid-template-columns: 1fr; } }
`;

/** Taken edges use the orange arrow head of their own chart. */
export const TAKEN_MARKER_CSS = ['run-chart', 'task-chart'].map((id) => `#${id} .edge.taken polyline { marker-end: url(#${id}-arrow-taken); }`).join('\n');
