// Read each export format back into the shape of definition.ts, from the
// text alone (no access to the chart the text came from).
import type { ChartJson } from '../../src/export/json.js';
import { type ParsedChart, type ParsedTransition, parseLabel, refLabel } from './definition.js';
import { parseXml, type XmlElement } from './xml.js';

type Kind = 'container' | 'atomic' | 'final' | 'history';

interface Builder {
  states: Map<string, Kind>;
  initial: Map<string, string>;
  transitions: ParsedTransition[];
  entry: Map<string, string[]>;
  invokes: Map<string, string[]>;
}
const builder = (): Builder => ({ states: new Map(), initial: new Map(), transitions: [], entry: new Map(), invokes: new Map() });
const parentOf = (path: string): string => (path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '');

function expectParent(path: string, container: string): void {
  if (parentOf(path) !== container) throw new Error(`state ${path} is drawn inside "${container}", not inside its parent "${parentOf(path)}"`);
}

export function parseJsonExport(text: string): ParsedChart {
  const doc = JSON.parse(text) as ChartJson;
  if (doc.format !== 'buran.chart/v1') throw new Error(`unexpected format ${String(doc.format)}`);
  const b = builder();
  if (doc.root.initial !== null) b.initial.set('', doc.root.initial);
  for (const s of doc.states) {
    b.states.set(s.path, s.type === 'compound' || s.type === 'parallel' ? 'container' : s.type);
    if (s.type === 'compound' && s.initial !== null) b.initial.set(s.path, s.initial);
    if (s.entry.length > 0) b.entry.set(s.path, s.entry.map((a) => a.label));
    if (s.invoke.length > 0) b.invokes.set(s.path, s.invoke.map((i) => i.src));
  }
  for (const t of doc.transitions) {
    b.transitions.push({ source: t.source, event: t.event, targets: t.targets, guard: t.guard?.label ?? null, actions: t.actions.map((a) => a.label) });
  }
  return b;
}

// --- SCXML ---------------------------------------------------------------------

const SCXML = 'http://www.w3.org/2005/07/scxml';
const BURAN = 'urn:buran:statechart';
const SCXML_ELEMENTS = new Set(['scxml', 'state', 'parallel', 'final', 'history', 'transition', 'onentry', 'onexit', 'invoke']);

function actionLabels(el: XmlElement): string[] {
  return el.children.map((a) => {
    if (a.ns !== BURAN || a.local !== 'action') throw new Error(`<${a.name}> is not an action element`);
    const name = a.attrs.get('name') ?? '';
    const params = a.attrs.get('params');
    return params === undefined ? name : refLabel({ type: name, params: JSON.parse(params) as unknown });
  });
}

export function parseScxmlExport(text: string): ParsedChart & { spawns: Map<string, string> } {
  const root = parseXml(text);
  if (root.ns !== SCXML || root.local !== 'scxml' || root.attrs.get('version') !== '1.0') throw new Error('not an SCXML 1.0 document');
  const b = builder();
  const spawns = new Map<string, string>();
  const initialOf = (el: XmlElement) => el.attrs.get('initial');
  const rootInitial = initialOf(root);
  if (rootInitial !== undefined) b.initial.set('', rootInitial);
  const visit = (el: XmlElement, container: string): void => {
    if (el.ns === SCXML && !SCXML_ELEMENTS.has(el.local)) throw new Error(`<${el.local}> is not an SCXML element we emit`);
    const id = el.attrs.get('id') ?? '';
    const isRootWrapper = el.attrs.get('buran:root') === 'true';
    const path = isRootWrapper ? '' : id;
    if (el.local === 'state' || el.local === 'parallel' || el.local === 'final' || el.local === 'history') {
      if (!isRootWrapper) {
        expectParent(path, container);
        const hasStates = el.children.some((c) => ['state', 'parallel', 'final', 'history'].includes(c.local));
        b.states.set(path, el.local === 'history' ? 'history' : el.local === 'final' ? 'final' : hasStates ? 'container' : 'atomic');
      }
      const initial = initialOf(el);
      if (initial !== undefined) b.initial.set(path, initial);
      if (el.local === 'history') return; // its <transition> is the default target, not a transition of the chart
      for (const child of el.children) {
        if (child.local === 'transition') {
          const target = child.attrs.get('target');
          b.transitions.push({
            source: path,
            event: child.attrs.get('event') ?? 'always',
            targets: target === undefined ? null : target.split(' '),
            guard: child.attrs.get('cond') ?? null,
            actions: actionLabels(child),
          });
        } else if (child.local === 'onentry') {
          b.entry.set(path, actionLabels(child));
          for (const a of child.children) if (a.attrs.has('spawns')) spawns.set(a.attrs.get('name') ?? '', a.attrs.get('spawns') ?? '');
        } else if (child.local === 'invoke') {
          b.invokes.set(path, [...(b.invokes.get(path) ?? []), child.attrs.get('src') ?? '']);
        } else if (child.local !== 'onexit') {
          visit(child, path);
        }
      }
    }
  };
  for (const child of root.children) visit(child, '');
  return { ...b, spawns };
}

// --- mermaid -------------------------------------------------------------------

function mermaidPath(id: string): string {
  return id
    .split('__')
    .map((seg) => seg.replace(/_x([0-9a-f]{2})|_u([0-9a-f]{6})/g, (_m, x?: string, u?: string) => String.fromCodePoint(parseInt(x ?? u ?? '0', 16))))
    .join('.');
}

const unentity = (text: string): string => text.replace(/#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)));

/** Merge edges with one source and one label (a transition with several targets). */
function pushEdge(b: Builder, source: string, target: string, label: string, seen: Map<string, ParsedTransition & { targets: string[] | null }>): void {
  const parsed = parseLabel(label);
  const key = `${source}\u0000${label}`;
  const known = seen.get(key);
  if (known !== undefined && known.targets !== null) {
    known.targets.push(target);
    return;
  }
  if (parsed.targetless && target !== source) throw new Error(`targetless edge ${label} is not a loop on ${source}`);
  const t = { source, event: parsed.event, targets: parsed.targetless ? null : [target], guard: parsed.guard, actions: parsed.actions };
  seen.set(key, t);
  b.transitions.push(t);
}

export function parseMermaidExport(text: string): ParsedChart {
  const lines = text.split('\n');
  if (lines[0] !== 'stateDiagram-v2') throw new Error('not a stateDiagram-v2');
  const b = builder();
  const stack: string[] = [''];
  const seen = new Map<string, ParsedTransition & { targets: string[] | null }>();
  const node = (id: string) => (id === 'root__' ? '' : mermaidPath(id));
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    const container = stack.at(-1) ?? '';
    let m: RegExpExecArray | null;
    if (line === '' || line.startsWith('%%') || line.startsWith('classDef ') || line === '--') continue;
    if (line === '}') {
      stack.pop();
    } else if ((m = /^state (\S+) \{$/.exec(line))) {
      const path = node(m[1] ?? '');
      expectParent(path, container);
      b.states.set(path, 'container');
      stack.push(path);
    } else if ((m = /^state "([^"]*)" as (\S+)$/.exec(line))) {
      const path = node(m[2] ?? '');
      if (path === '') continue;
      expectParent(path, container);
      if (unentity(m[1] ?? '') !== path.split('.').at(-1)) throw new Error(`state ${path} is labelled "${m[1] ?? ''}"`);
      b.states.set(path, 'atomic');
    } else if ((m = /^\[\*\] --> (\S+)$/.exec(line))) {
      b.initial.set(container, node(m[1] ?? ''));
    } else if ((m = /^(\S+) --> \[\*\]$/.exec(line))) {
      b.states.set(node(m[1] ?? ''), 'final');
    } else if ((m = /^(\S+) --> (\S+) : (.*)$/.exec(line))) {
      pushEdge(b, node(m[1] ?? ''), node(m[2] ?? ''), unentity(m[3] ?? ''), seen);
    } else if ((m = /^class (\S+) (final|history)$/.exec(line))) {
      for (const id of (m[1] ?? '').split(',')) b.states.set(node(id), m[2] === 'final' ? 'final' : 'history');
    } else if ((m = /^(\S+) : (.*)$/.exec(line))) {
      const path = node(m[1] ?? '');
      const note = unentity(m[2] ?? '');
      if (note.startsWith('entry / ')) b.entry.set(path, parseLabel(`x / ${note.slice(8)}`).actions);
      else if (note.startsWith('invoke ')) b.invokes.set(path, [...(b.invokes.get(path) ?? []), note.slice(7).split(' ')[0] ?? '']);
    } else {
      throw new Error(`unexpected mermaid line: ${line}`);
    }
  }
  return b;
}

// --- dot -----------------------------------------------------------------------

/** `"a" [k=v, k="x, y"]` → attributes. */
function dotAttrs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z_]+)=("(?:[^"\\]|\\.)*"|[^,\]]*)\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') out.set(m[1] ?? '', dotValue(m[2] ?? ''));
  return out;
}

function dotValue(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  return raw.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';

export function parseDotExport(text: string): ParsedChart {
  const lines = text.split('\n');
  if (!/^digraph "[^"]*" \{$/.test(lines[0] ?? '')) throw new Error('not a digraph');
  const b = builder();
  const stack: string[] = [''];
  const seen = new Map<string, ParsedTransition & { targets: string[] | null }>();
  const edge = new RegExp(`^${QUOTED} -> ${QUOTED}(?: \\[(.*)\\])?;$`);
  const nodeLine = new RegExp(`^${QUOTED} \\[(.*)\\];$`);
  const cluster = new RegExp(`^subgraph ${QUOTED} \\{$`);
  const unq = (s: string | undefined) => dotValue(`"${s ?? ''}"`);
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    const container = stack.at(-1) ?? '';
    let m: RegExpExecArray | null;
    if (line === '}') {
      stack.pop();
    } else if ((m = cluster.exec(line))) {
      const path = unq(m[1]).replace(/^cluster_/, '');
      expectParent(path, container);
      b.states.set(path, 'container');
      stack.push(path);
    } else if ((m = edge.exec(line))) {
      const from = unq(m[1]);
      const to = unq(m[2]);
      const attrs = dotAttrs(m[3] ?? '');
      if (from === '[*]' || from.startsWith('[*] ')) b.initial.set(from === '[*]' ? '' : from.slice(4), to);
      else if (attrs.get('label') !== '(history default)') pushEdge(b, from === '(root)' ? '' : from, to === '(root)' ? '' : to, attrs.get('label') ?? '', seen);
    } else if ((m = nodeLine.exec(line))) {
      const id = unq(m[1]);
      const attrs = dotAttrs(m[2] ?? '');
      if (id.startsWith('[*]') || id === '(root)' || attrs.get('style') === 'invis') continue;
      expectParent(id, container);
      const [key, ...notes] = (attrs.get('label') ?? '').split('\n');
      const kind: Kind = attrs.get('shape') === 'circle' ? 'history' : attrs.get('peripheries') === '2' ? 'final' : 'atomic';
      if (kind !== 'history' && key !== id.split('.').at(-1)) throw new Error(`node ${id} is labelled "${key ?? ''}"`);
      b.states.set(id, kind);
      for (const note of notes) {
        if (note.startsWith('entry / ')) b.entry.set(id, parseLabel(`x / ${note.slice(8)}`).actions);
        else if (note.startsWith('invoke ')) b.invokes.set(id, [...(b.invokes.get(id) ?? []), note.slice(7).split(' ')[0] ?? '']);
      }
    } else if (!/^(compound|rankdir|label|node|edge|style)\b/.test(line) && line !== '') {
      throw new Error(`unexpected dot line: ${line}`);
    }
  }
  // Clusters carry their entry / invoke notes in their label.
  for (const raw of lines) {
    const m = /^\s*subgraph "cluster_([^"]*)" \{$/.exec(raw);
    if (m === null) continue;
    const labelLine = lines[lines.indexOf(raw) + 1] ?? '';
    const label = dotAttrs(labelLine.trim().replace(/;$/, '')).get('label') ?? '';
    const path = m[1] ?? '';
    for (const note of label.split('\n').slice(1)) {
      if (note.startsWith('entry / ')) b.entry.set(path, parseLabel(`x / ${note.slice(8)}`).actions);
      else if (note.startsWith('invoke ')) b.invokes.set(path, [...(b.invokes.get(path) ?? []), note.slice(7).split(' ')[0] ?? '']);
    }
  }
  return b;
}
