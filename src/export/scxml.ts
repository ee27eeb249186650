// Pure: a chart description as SCXML (W3C, https://www.w3.org/TR/scxml/).
// No datamodel: guards are named in `cond` (the guard's label, e.g.
// `resumeAt(stage=attempt)`), actions are <buran:action name params> elements
// in buran's own namespace (SCXML allows executable content from other
// namespaces), invoked actors are <invoke type="urn:buran:actor" src="name">.
// Event names are xstate's (`xstate.done.actor.<id>`, …); eventless
// transitions have no `event`, targetless ones no `target`.
import type { ActionDescription, ChartDescription, StateDescription, TransitionDescription } from './describeChart.js';
import { labelContext, statesByPath } from './label.js';

export const SCXML_NS = 'http://www.w3.org/2005/07/scxml';
export const BURAN_SCXML_NS = 'urn:buran:statechart';
/** The `type` of every <invoke>: the actor is named by `src` and provided by the host. */
export const BURAN_ACTOR_TYPE = 'urn:buran:actor';
/** Id of the wrapper state used only when the root itself has transitions, actions or invokes. */
export const SCXML_ROOT_ID = '_root';

/** Escape text for a double-quoted XML attribute. */
export function xmlAttr(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** A state path as an XML ID (NCName): characters outside it become `_xHHHH_`. */
export function scxmlId(path: string): string {
  const encoded = path.replace(/[^A-Za-z0-9._-]/g, (c) => `_x${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}_`);
  return /^[A-Za-z_]/.test(encoded) ? encoded : `_${encoded}`;
}

type Attrs = ReadonlyArray<readonly [string, string | null | undefined]>;

function attrs(list: Attrs): string {
  return list
    .filter((pair): pair is readonly [string, string] => pair[1] !== null && pair[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
    .join('');
}

class ScxmlWriter {
  readonly lines: string[] = [];
  private readonly byPath: Map<string, StateDescription>;
  private readonly bySource = new Map<string, TransitionDescription[]>();
  private readonly spawns: ReadonlyMap<string, readonly string[]>;

  constructor(private readonly chart: ChartDescription) {
    this.byPath = statesByPath(chart);
    this.spawns = labelContext(chart).spawns;
    for (const t of chart.transitions) this.bySource.set(t.source, [...(this.bySource.get(t.source) ?? []), t]);
  }

  private line(depth: number, text: string): void {
    this.lines.push(`${'  '.repeat(depth)}${text}`);
  }

  private action(depth: number, a: ActionDescription): void {
    const spawned = this.spawns.get(a.name);
    this.line(
      depth,
      `<buran:action${attrs([
        ['name', a.name],
        ['params', a.params === null ? null : JSON.stringify(a.params)],
        // Only params computed at run time have a label that name and params do not already say.
        ['label', a.params === null && a.label !== a.name ? a.label : null],
        ['spawns', spawned === undefined ? null : spawned.join(' ')],
      ])}/>`,
    );
  }

  private block(depth: number, open: string, close: string, actions: readonly ActionDescription[]): void {
    if (actions.length === 0) {
      this.line(depth, `${open.slice(0, -1)}/>`);
      return;
    }
    this.line(depth, open);
    for (const a of actions) this.action(depth + 1, a);
    this.line(depth, close);
  }

  private isWithin(path: string, ancestor: string): boolean {
    return ancestor === '' || path.startsWith(`${ancestor}.`);
  }

  private transition(depth: number, t: TransitionDescription): void {
    const targets = t.targets;
    // SCXML re-enters the source unless type="internal"; xstate does not unless `reenter` (only differs for descendant targets).
    const internal = targets !== null && targets.length > 0 && !t.reenter && targets.every((p) => this.isWithin(p, t.source));
    const open = `<transition${attrs([
      ['event', t.event === 'always' ? null : t.event],
      ['cond', t.guard?.label],
      ['target', targets === null ? null : targets.map(scxmlId).join(' ')],
      ['type', internal ? 'internal' : null],
      ['buran:reenter', t.reenter ? 'true' : null],
      ['buran:description', t.description],
    ])}>`;
    this.block(depth, open, '</transition>', t.actions);
  }

  /** The body of a state: entry, exit, transitions, invokes, children. */
  private body(depth: number, s: StateDescription): void {
    if (s.entry.length > 0) this.block(depth, '<onentry>', '</onentry>', s.entry);
    if (s.exit.length > 0) this.block(depth, '<onexit>', '</onexit>', s.exit);
    for (const t of this.bySource.get(s.path) ?? []) this.transition(depth, t);
    for (const inv of s.invoke) this.line(depth, `<invoke${attrs([['id', inv.id], ['type', BURAN_ACTOR_TYPE], ['src', inv.src]])}/>`);
    for (const child of s.children) {
      const c = this.byPath.get(child);
      if (c !== undefined) this.state(depth, c);
    }
  }

  private state(depth: number, s: StateDescription): void {
    const common: Attrs = [
      ['id', scxmlId(s.path)],
      ['buran:description', s.description],
      ['buran:tags', s.tags.length > 0 ? s.tags.join(' ') : null],
    ];
    if (s.type === 'history') {
      this.line(depth, `<history${attrs([...common, ['type', s.history ?? 'shallow']])}>`);
      const target = s.historyTarget;
      if (target !== null) this.line(depth + 1, `<transition${attrs([['target', target.map(scxmlId).join(' ')]])}/>`);
      this.line(depth, '</history>');
      return;
    }
    const element = s.type === 'final' ? 'final' : s.type === 'parallel' ? 'parallel' : 'state';
    const initial = s.type === 'compound' && s.initial !== null ? scxmlId(s.initial) : null;
    const empty = s.entry.length + s.exit.length + s.invoke.length + s.children.length + (this.bySource.get(s.path)?.length ?? 0) === 0;
    const open = `<${element}${attrs([...common, ['initial', initial]])}`;
    if (empty) {
      this.line(depth, `${open}/>`);
      return;
    }
    this.line(depth, `${open}>`);
    this.body(depth + 1, s);
    this.line(depth, `</${element}>`);
  }

  write(): void {
    const { chart } = this;
    const root = chart.root;
    const rootBusy = root.entry.length + root.exit.length + root.invoke.length + (this.bySource.get('')?.length ?? 0) > 0;
    this.lines.push('<?xml version="1.0" encoding="UTF-8"?>');
    this.line(
      0,
      `<scxml${attrs([
        ['xmlns', SCXML_NS],
        ['xmlns:buran', BURAN_SCXML_NS],
        ['version', '1.0'],
        ['name', chart.id],
        ['initial', rootBusy ? SCXML_ROOT_ID : root.initial === null ? null : scxmlId(root.initial)],
        ['buran:description', chart.description],
      ])}>`,
    );
    if (rootBusy) {
      // SCXML's root holds no transitions or actions: they go on a wrapper state.
      this.line(1, `<state${attrs([['id', SCXML_ROOT_ID], ['buran:root', 'true'], ['initial', root.initial === null ? null : scxmlId(root.initial)]])}>`);
      this.body(2, root);
      this.line(1, '</state>');
    } else {
      this.body(1, root);
    }
    this.line(0, '</scxml>');
  }
}

/**
 * The chart as an SCXML document.
 * @example
 * writeFileSync('run.scxml', toScxml(describeChart(runChart, { spawns: RUN_SPAWNS })));
 */
export function toScxml(chart: ChartDescription): string {
  const writer = new ScxmlWriter(chart);
  writer.write();
  return `${writer.lines.join('\n')}\n`;
}
