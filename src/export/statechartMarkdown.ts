// Pure: renders docs/statechart.md from chart descriptions (describeChart).
// Deterministic: the same machines give byte-identical text.
import type { AnyStateMachine } from 'xstate';
import { BLOCKER_CODE_LIST, BLOCKER_CODES, isBlockerCode, type BlockerCode } from '../domain/blockers.js';
import {
  describeChart,
  type ChartDescription,
  type StateDescription,
  type TransitionDescription,
} from './describeChart.js';
import { toMermaid } from './mermaid.js';

export interface NamedMachine {
  readonly name: string;
  readonly machine: AnyStateMachine;
}

const INVARIANTS: readonly string[] = [
  '**Ready only when proven.** A run reaches `readyForReview` only when every task and the integration passed verification and review for the current epoch.',
  '**Blocked is explained.** Every blocked state carries a blocker with a known code (from `BLOCKER_CODES`) and a next safe action.',
  '**Blocked for the right reason.** The code of a block is the one its cause calls for (a timed-out attempt `worker_timeout`, a spent budget `budget_exhausted`, a task block the task\'s own code), checked against a table written from the blockers\' meanings, not read from the charts.',
  '**Bounded work.** Attempts ≤ `maxAttempts` (+ operator grants) per task per epoch; fix rounds ≤ `maxFixRounds` (+ operator grants); dispatches ≤ `maxDispatches`.',
  '**Monotonic records.** History and epoch never shrink.',
  '**Scheduling.** No task runs before its dependencies are done; no two running tasks overlap in scope; running tasks ≤ `concurrency`.',
  '**Final is final.** Final states accept nothing further.',
  '**Durable.** A persisted snapshot restores to the same state and context.',
];

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text}\``;
}

const showPath = (path: string): string => (path === '' ? '(root)' : path);

function stateType(s: StateDescription): string {
  if (s.type === 'history') return `history (${s.history ?? 'shallow'})`;
  if (s.initial !== null) return `${s.type} (initial ${code(s.initial)})`;
  return s.type;
}

function stateEffects(s: StateDescription): string {
  const parts: string[] = [];
  if (s.entry.length > 0) parts.push(`entry: ${s.entry.map((a) => code(a.label)).join(', ')}`);
  if (s.exit.length > 0) parts.push(`exit: ${s.exit.map((a) => code(a.label)).join(', ')}`);
  for (const inv of s.invoke) parts.push(`invoke: ${code(inv.id)}${inv.src === inv.id ? '' : ` (src ${code(inv.src)})`}`);
  return parts.join('<br>');
}

function targets(t: TransitionDescription): string {
  return t.targets === null ? '— (no change)' : t.targets.map(code).join(', ');
}

function statesTable(chart: ChartDescription): string[] {
  const lines = ['| State | Type | Description | Entry / exit / invoke |', '| --- | --- | --- | --- |'];
  for (const s of chart.states) {
    lines.push(`| ${code(s.path)} | ${cell(stateType(s))} | ${cell(s.description ?? '')} | ${cell(stateEffects(s))} |`);
  }
  return lines;
}

function transitionsTable(chart: ChartDescription): string[] {
  const lines = ['| Source | Event | Guard | Target | Actions |', '| --- | --- | --- | --- | --- |'];
  for (const t of chart.transitions) {
    const guard = t.guard === null ? '' : code(t.guard.label);
    const actions = t.actions.map((a) => code(a.label)).join(', ');
    lines.push(`| ${code(showPath(t.source))} | ${code(t.event)} | ${cell(guard)} | ${cell(targets(t))} | ${cell(actions)} |`);
  }
  return lines;
}

function whereFrom(t: TransitionDescription): string {
  return `${code(showPath(t.source))} on ${code(t.event)}${t.guard === null ? '' : ` when ${code(t.guard.label)}`}`;
}

function blockerSection(name: string, chart: ChartDescription): string[] {
  const byCode = new Map<BlockerCode, TransitionDescription[]>();
  for (const t of chart.transitions) {
    if (t.blockerCode === null) continue;
    if (!isBlockerCode(t.blockerCode)) {
      throw new Error(`statechart ${name}: ${whereFrom(t)} raises unknown blocker code "${t.blockerCode}"`);
    }
    const list = byCode.get(t.blockerCode) ?? [];
    list.push(t);
    byCode.set(t.blockerCode, list);
  }
  const lines = [
    `Blocker codes the ${code(name)} chart can raise (a \`block\` action with a \`code\`), where from, and the operator decisions the code allows.`,
    '',
    '| Code | Raised from | Meaning | Decisions |',
    '| --- | --- | --- | --- |',
  ];
  for (const c of BLOCKER_CODE_LIST) {
    const from = byCode.get(c);
    if (from === undefined) continue;
    const entry = BLOCKER_CODES[c];
    lines.push(
      `| ${code(c)} | ${cell(from.map(whereFrom).join('<br>'))} | ${cell(entry.meaning)} | ${entry.decisions.map(code).join(', ')} |`,
    );
  }
  // States entered with a code; other edges into them must bring their own blocker.
  const blocking = new Set(chart.transitions.filter((t) => t.blockerCode !== null).flatMap((t) => t.targets ?? []));
  const uncoded = chart.transitions.filter((t) => t.blockerCode === null && (t.targets ?? []).some((p) => blocking.has(p)));
  if (uncoded.length > 0) {
    lines.push('', 'Transitions into a blocking state without a `block` action (the blocker comes from elsewhere):', '');
    for (const t of uncoded) lines.push(`- ${whereFrom(t)} → ${targets(t)}, actions ${t.actions.map((a) => code(a.label)).join(', ') || '(none)'}`);
  }
  return lines;
}

// --- Document ------------------------------------------------------------------

function machineSection(name: string, chart: ChartDescription): string[] {
  return [
    `## ${name}`,
    '',
    `Machine id ${code(chart.id)}. ${chart.description ?? ''}`.trimEnd(),
    '',
    `### ${name}: states`,
    '',
    ...statesTable(chart),
    '',
    `### ${name}: transitions`,
    '',
    'Candidates for the same source and event are listed in priority order (the first whose guard holds is taken). ' +
      '`always` is an eventless transition; `xstate.done.actor.<id>` / `xstate.error.actor.<id>` are the onDone / onError of the invoked actor `<id>`. ' +
      'A transition defined on a compound state applies in all of its descendants.',
    '',
    ...transitionsTable(chart),
    '',
    `### ${name}: blockers`,
    '',
    ...blockerSection(name, chart),
    '',
    `### ${name}: diagram`,
    '',
    '```mermaid',
    ...toMermaid(chart).trimEnd().split('\n'),
    '```',
    '',
  ];
}

/** The content of docs/statechart.md for the given machines, in the given order. */
export function renderStatechartMarkdown(machines: readonly NamedMachine[]): string {
  const charts = machines.map(({ name, machine }) => ({ name, chart: describeChart(machine) }));
  const raised = new Set(charts.flatMap(({ chart }) => chart.transitions.map((t) => t.blockerCode)));
  const unraised = BLOCKER_CODE_LIST.filter((c) => !raised.has(c));
  const lines = [
    '# Statecharts',
    '',
    '<!-- Generated by `npm run docs:statechart` (scripts/statechart-doc.ts). Do not edit by hand. -->',
    '',
    '> This file is generated by `npm run docs:statechart` from the chart configurations in `machines/`. ' +
      'Do not edit it by hand: change the charts and run the command again (a test fails when this file is stale).',
    '',
    'Charts: ' + charts.map(({ name }) => `[${name}](#${name})`).join(', ') + '.',
    '',
    ...charts.flatMap(({ name, chart }) => machineSection(name, chart)),
    '## Blocker codes no chart raises',
    '',
    unraised.length === 0
      ? 'Every blocker code is raised by at least one chart.'
      : 'No chart transition raises these codes; when they occur they come from outside the charts (the run store; the engine checks that the records of a run match what it wrote and that the branch of a handed-off run still points at the recorded commit):',
    '',
    ...unraised.map((c) => {
      const decisions: readonly string[] = BLOCKER_CODES[c].decisions;
      return `- ${code(c)}: ${BLOCKER_CODES[c].meaning} Decisions: ${decisions.length === 0 ? 'none (the run is final)' : decisions.map(code).join(', ')}.`;
    }),
    ...(unraised.length === 0 ? [] : ['']),
    '## Invariants',
    '',
    'What must always hold for these charts and the engine that runs them:',
    '',
    ...INVARIANTS.map((text, i) => `${i + 1}. ${text}`),
    '',
  ];
  return lines.join('\n');
}
