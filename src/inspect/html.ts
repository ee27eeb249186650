// Pure: the inspector page, one self-contained HTML document. Charts are
// inline SVG, style and script are inline and pinned by hash in the page's
// Content-Security-Policy, the model is JSON in a non-executed script block.
// The policy allows no fetch at all, except `state.json` on the page's own
// origin in live mode.
import { createHash } from 'node:crypto';
import { INSPECTOR_JS } from './client.js';
import { escapeHtml, jsonForScript } from './escape.js';
import type { InspectModel } from './model.js';
import { sandboxSummary } from '../engine/sandboxChoice.js';
import { INSPECTOR_CSS, TAKEN_MARKER_CSS } from './style.js';

export interface PageCharts {
  /** Inline SVG of the run chart (`id="run-chart"`). */
  readonly run: string;
  /** Inline SVG of the task chart (`id="task-chart"`). */
  readonly task: string;
}

export interface PageOptions {
  /** Poll `state.json` on the page's origin (served by `buran inspect --serve`). */
  readonly live: boolean;
  /** Poll interval in live mode, ms. */
  readonly pollMs?: number;
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The Content-Security-Policy of a page with this script and style. */
export function contentSecurityPolicy(script: string, style: string, live: boolean): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    live ? "connect-src 'self'" : null,
    "base-uri 'none'",
    "form-action 'none'",
  ]
    .filter((d) => d !== null)
    .join('; ');
}

const e = escapeHtml;

function header(model: InspectModel): string {
  const a = model.approval;
  return `<header>
<h1 id="title">${e(model.title ?? model.packetId)}</h1>
<p class="meta">run <code id="run-id">${e(model.runId)}</code> · packet <code>${e(model.packetId)}</code> · approved by ${e(a.by)} at ${e(a.at)} (<code>${e(a.hash.slice(0, 19))}…</code>) · <span id="sandbox">${e(sandboxSummary(model.status.sandbox))}</span> · read ${e(model.readAt)} <span id="live" hidden>live</span></p>
</header>`;
}

const NOW_PANEL = `<section id="now-panel">
<h2>State at the selected event</h2>
<dl class="facts">
<dt>stage</dt><dd><code id="current-stage"></code></dd>
<dt>status</dt><dd id="current-status"></dd>
<dt>epoch</dt><dd id="current-epoch"></dd>
</dl>
<div id="blocker" hidden>
<h3>Blocked: <code id="blocker-code"></code></h3>
<div id="blocker-message"></div>
</div>
<div id="unconfirmed" hidden>
<h3>Not confirmed</h3>
<ul id="unconfirmed-list"></ul>
</div>
<div id="next-action">
<h3>Next safe action</h3>
<div id="next-action-text"></div>
<code id="next-action-command"></code>
</div>
<p id="consistency" class="note" hidden>The replayed log does not end in the snapshot's stage (a driver may be between its two writes; the log is the record).</p>
</section>`;

const TIMELINE_PANEL = `<section id="timeline-panel">
<h2>History</h2>
<div class="controls">
<button id="first" type="button" title="first event (Home)">« first</button>
<button id="prev" type="button" title="previous event (←)">◀ prev</button>
<input id="step" type="range" min="0" max="0" value="0" aria-label="event">
<button id="next" type="button" title="next event (→)">next ▶</button>
<button id="last" type="button" title="latest event (End)">latest »</button>
</div>
<div id="step-label"></div>
<div id="event-detail" hidden>
<dl class="facts">
<dt>seq</dt><dd id="ev-seq" class="mono"></dd>
<dt>time</dt><dd id="ev-ts" class="mono"></dd>
<dt>type</dt><dd id="ev-type" class="mono"></dd>
<dt>change</dt><dd id="ev-change" class="mono"></dd>
<dt>task</dt><dd id="ev-task" class="mono"></dd>
</dl>
<pre id="event-data"></pre>
</div>
<ol id="timeline"></ol>
</section>`;

/** The whole page for a model and its pre-drawn charts. */
export function renderInspectorPage(model: InspectModel, charts: PageCharts, options: PageOptions): string {
  const style = `${INSPECTOR_CSS}\n${TAKEN_MARKER_CSS}\n`;
  const script = INSPECTOR_JS;
  const data = jsonForScript({ live: options.live, pollMs: options.pollMs ?? 1000, model });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(script, style, options.live))}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>buran inspect · ${e(model.runId)}</title>
<style>${style}</style>
</head>
<body>
${header(model)}
<main>
<div class="top">
${NOW_PANEL}
${TIMELINE_PANEL}
<section id="tasks-panel">
<h2>Tasks <span class="note">(task child actors; click a row to show it on the task chart)</span></h2>
<table id="tasks"><thead><tr><th>task</th><th>title</th><th>state</th><th>attempt</th><th>epoch</th></tr></thead><tbody id="tasks-body"></tbody></table>
</section>
</div>
<section id="run-panel">
<h2>Run chart <span class="note">(highlighted: the run's state at the selected event; orange: the transition it took)</span> <button type="button" class="zoom" data-chart="run-chart">actual size</button></h2>
<div class="chart-wrap">${charts.run}</div>
</section>
<section id="task-panel">
<h2>Task chart · <span id="task-chart-task" class="mono"></span> <span class="note">(badges: the tasks in each state)</span> <button type="button" class="zoom" data-chart="task-chart">actual size</button></h2>
<div class="chart-wrap">${charts.task}</div>
</section>
</main>
<script type="application/json" id="inspect-data">${data}</script>
<script>${script}</script>
</body>
</html>
`;
}
