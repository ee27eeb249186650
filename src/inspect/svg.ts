// Pure: a laid-out chart as an inline SVG string. States are `<g class="state"
// data-path="…">` groups the page highlights by class; edges are `<g
// class="edge" data-edge="…">`. Every text is escaped.
import { escapeHtml } from './escape.js';
import { LABEL_FONT, type LaidOutChart, type LaidOutEdge, type LaidOutNode, type Point } from './layout.js';

const n = (v: number): string => String(Math.round(v * 10) / 10);
const attr = (name: string, value: string | number): string => ` ${name}="${typeof value === 'number' ? n(value) : escapeHtml(value)}"`;

export interface SvgOptions {
  /** The element id of the `<svg>`; also prefixes marker ids. */
  readonly id: string;
  readonly title: string;
  /** Add an empty `<text class="badge">` to every leaf state (the page writes task ids into it). */
  readonly badges?: boolean;
}

function stateSvg(node: LaidOutNode, badges: boolean): string {
  const classes = ['state', `state-${node.type}`, node.initial ? 'initial' : '', node.depth > 0 ? 'nested' : ''].filter((c) => c !== '').join(' ');
  const open = `<g${attr('class', classes)}${attr('data-path', node.path)}><title>${escapeHtml(node.path)} (${node.type})</title>`;
  if (node.type === 'history') {
    const r = node.width / 2;
    return `${open}<circle${attr('cx', node.x + r)}${attr('cy', node.y + r)}${attr('r', r)}/><text class="state-name"${attr('x', node.x + r)}${attr('y', node.y + r + 4)} text-anchor="middle">${node.history === 'deep' ? 'H*' : 'H'}</text></g>`;
  }
  const compound = node.type === 'compound' || node.type === 'parallel';
  const rect = `<rect class="box"${attr('x', node.x)}${attr('y', node.y)}${attr('width', node.width)}${attr('height', node.height)} rx="${compound ? 10 : 7}"/>`;
  const inner =
    node.type === 'final' ? `<rect class="final-ring"${attr('x', node.x + 3)}${attr('y', node.y + 3)}${attr('width', node.width - 6)}${attr('height', node.height - 6)} rx="5"/>` : '';
  const dot = node.initial ? `<circle class="initial-dot"${attr('cx', node.x + 9)}${attr('cy', compound ? node.y + 15 : node.y + node.height / 2)} r="3"/>` : '';
  const textX = node.x + (node.initial ? 16 : 10);
  const text = compound
    ? `<text class="state-name compound-name"${attr('x', textX)}${attr('y', node.y + 19)}>${escapeHtml(node.key)}</text>`
    : `<text class="state-name"${attr('x', textX)}${attr('y', node.y + node.height / 2 + 4)}>${escapeHtml(node.key)}</text>`;
  const badge = badges && !compound ? `<text class="badge"${attr('x', node.x + node.width - 4)}${attr('y', node.y - 3)} text-anchor="end"></text>` : '';
  return `${open}${rect}${inner}${dot}${text}${badge}</g>`;
}

const points = (line: readonly Point[]): string => line.map((p) => `${n(p.x)},${n(p.y)}`).join(' ');

function edgeSvg(edge: LaidOutEdge, markerId: string): string {
  const lines = edge.sections.map((s) => `<polyline${attr('points', points(s))} marker-end="url(#${markerId})"/>`).join('');
  return `<g class="edge"${attr('data-edge', edge.id)}${attr('data-source', edge.source)}${attr('data-target', edge.target)}><title>${escapeHtml(`${edge.source} → ${edge.target}\n${edge.details.join('\n')}`)}</title>${lines}</g>`;
}

function labelSvg(edge: LaidOutEdge): string {
  const label = edge.label;
  if (label === null) return '';
  const spans = label.lines
    .map((line, i) => `<tspan${attr('x', label.x + 3)}${attr('y', label.y + LABEL_FONT.lineHeight * (i + 1) - 2)}>${escapeHtml(line)}</tspan>`)
    .join('');
  return `<g class="edge-label"${attr('data-edge', edge.id)}><rect${attr('x', label.x)}${attr('y', label.y)}${attr('width', label.width)}${attr('height', label.height)} rx="3"/><text>${spans}</text></g>`;
}

export function chartSvg(chart: LaidOutChart, options: SvgOptions): string {
  const marker = `${options.id}-arrow`;
  const defs = ['', '-taken']
    .map((suffix) => `<marker id="${escapeHtml(marker + suffix)}" class="arrow${suffix}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`)
    .join('');
  return [
    `<svg class="chart"${attr('id', options.id)}${attr('viewBox', `0 0 ${n(chart.width)} ${n(chart.height)}`)}${attr('width', chart.width)}${attr('height', chart.height)} role="img"${attr('aria-label', options.title)}>`,
    `<defs>${defs}</defs>`,
    `<g class="states">${chart.nodes.map((node) => stateSvg(node, options.badges === true)).join('')}</g>`,
    `<g class="edges">${chart.edges.map((e) => edgeSvg(e, marker)).join('')}</g>`,
    `<g class="labels">${chart.edges.map(labelSvg).join('')}</g>`,
    '</svg>',
  ].join('');
}
