import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { describeChart } from '../../src/export/describeChart.js';
import { EXPORT_FORMATS, exportChart, type ExportFormat } from '../../src/export/index.js';
import { definitionOf, transitionKey, type ParsedChart } from './definition.js';
import { parseDotExport, parseJsonExport, parseMermaidExport, parseScxmlExport } from './parsers.js';

const PARSE: Record<ExportFormat, (text: string) => ParsedChart> = { json: parseJsonExport, scxml: parseScxmlExport, mermaid: parseMermaidExport, dot: parseDotExport };

/** Shapes buran's own charts do not use: parallel regions, several targets, reenter, root transitions, delays, onDone. */
const shapes = setup({
  actions: { note: () => undefined },
  guards: { ok: () => true },
  delays: { soon: 10 },
}).createMachine({
  id: 'shapes',
  initial: 'both',
  on: { RESET: { target: '.both', reenter: true, actions: { type: 'note', params: { why: 'reset "all"; <now>' } } } },
  states: {
    both: {
      type: 'parallel',
      states: {
        left: { initial: 'l1', states: { l1: { on: { GO: { target: 'l2', guard: 'ok' } } }, l2: { type: 'final' } } },
        right: { initial: 'r1', states: { r1: { after: { soon: 'r2' } }, r2: { type: 'final' } } },
      },
      onDone: 'done',
      on: { JUMP: { target: ['.left.l2', '.right.r2'] } },
    },
    done: { type: 'final', entry: ['note'] },
  },
});

describe('exports of other chart shapes', () => {
  const chart = describeChart(shapes);
  const definition = definitionOf(shapes);

  it.each(EXPORT_FORMATS)('round-trips parallel regions, multi-target, reenter, root, delayed and onDone transitions as %s', (format) => {
    const parsed = PARSE[format](exportChart(chart, format));
    expect([...parsed.states].sort()).toEqual([...definition.states].sort());
    expect(parsed.transitions.map(transitionKey).sort()).toEqual(definition.transitions.map(transitionKey).sort());
    expect([...parsed.initial].sort()).toEqual([...definition.initial].sort());
  });

  it('covers the shapes it claims to', () => {
    const events = definition.transitions.map((t) => t.event);
    expect(events).toEqual(expect.arrayContaining(['RESET', 'xstate.done.state.shapes.both', 'xstate.after.soon.shapes.both.right.r1']));
    expect(definition.transitions.find((t) => t.event === 'JUMP')?.targets).toEqual(['both.left.l2', 'both.right.r2']);
    expect(definition.transitions.find((t) => t.event === 'RESET')?.source).toBe('');
  });

  it('wraps root transitions in SCXML, marks reenter, and escapes label text for mermaid', () => {
    const scxml = exportChart(chart, 'scxml');
    expect(scxml).toContain('<state id="_root" buran:root="true" initial="both">');
    expect(scxml).toContain('buran:reenter="true"');
    expect(exportChart(chart, 'mermaid')).toContain('root__ --> both : RESET / note(why=reset #34;all#34;#59; #60;now#62;) (reenter)');
  });
});
