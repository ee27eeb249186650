// The page is XSS-safe: run, packet and worker text is escaped everywhere it
// lands, the data block cannot be closed from inside, and the only script
// that may run is the page's own (pinned by hash in its CSP).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import type { StatusJson } from '../../src/engine/statusView.js';
import { escapeHtml, jsonForScript } from '../../src/inspect/escape.js';
import { renderInspectorPage } from '../../src/inspect/html.js';
import { INSPECT_MODEL_SCHEMA, type InspectModel } from '../../src/inspect/model.js';

const HOSTILE = `</script><script>alert(1)</script><img src=x onerror="alert(2)"> & ' " <!-- \u2028`;

function hostileModel(): InspectModel {
  const blocker = { code: 'worker_blocked' as const, message: HOSTILE, details: { note: HOSTILE }, nextSafeAction: { text: HOSTILE, command: null } };
  const event: EventRecord = { seq: 1, ts: '2026-01-01T00:00:00.000Z', runId: 'r1', type: 'transition', from: 'active.implementing', to: 'blocked', epoch: 1, data: { event: HOSTILE, blocker } };
  const status: StatusJson = {
    runId: 'r1',
    status: 'blocked',
    stage: 'blocked',
    epoch: 1,
    currentTask: null,
    blocker,
    nextSafeAction: blocker.nextSafeAction,
    tasks: [{ id: 'alpha', state: 'blocked', attempts: 1, epoch: 1 }],
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0 },
    updatedAt: event.ts,
    sandbox: { mode: 'none', kind: 'none', network: true, note: HOSTILE },
    driver: null,
    reviews: [],
    setup: [],
    approvals: null,
    decisions: [],
    unconfirmed: [],
    agents: {},
  };
  return {
    schema: INSPECT_MODEL_SCHEMA,
    runId: 'r1',
    packetId: 'p1',
    title: HOSTILE,
    approval: { by: HOSTILE, at: '2026-01-01T00:00:00.000Z', hash: `sha256:${'a'.repeat(64)}` },
    status,
    tasks: [{ id: 'alpha', title: HOSTILE, dependsOn: [] }],
    events: [event],
    frames: [{ seq: 1, run: 'blocked', status: 'blocked', epoch: 1, tasks: [{ state: 'blocked', attemptId: 'alpha.a1', epoch: 1 }], blocker, nextSafeAction: blocker.nextSafeAction, task: null, runEdge: null, taskEdge: null }],
    replayMatchesSnapshot: true,
    readAt: '2026-01-01T00:00:01.000Z',
  };
}

const charts = { run: '<svg class="chart" id="run-chart"></svg>', task: '<svg class="chart" id="task-chart"></svg>' };

describe('escaping for HTML', () => {
  it('escapes the five HTML-special characters and leaves other text alone', () => {
    expect(escapeHtml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    expect(escapeHtml('plain text: ok → fine')).toBe('plain text: ok → fine');
  });

  it('writes JSON for a script block with no <, > or & and line separators escaped, and it parses back to the same value', () => {
    const value = { text: HOSTILE, nested: [HOSTILE, 1, null] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('the inspector page with hostile run text', () => {
  const model = hostileModel();
  const html = renderInspectorPage(model, charts, { live: false });

  it('contains exactly the page’s own two script elements and no injected markup', () => {
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).toContain(escapeHtml(HOSTILE));
  });

  it('embeds the model as JSON that parses back to the same model', () => {
    const block = /<script type="application\/json" id="inspect-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(block).toBeDefined();
    const parsed = JSON.parse(block ?? '') as { live: boolean; model: InspectModel };
    expect(parsed.live).toBe(false);
    expect(parsed.model).toEqual(model);
  });

  it('pins its inline script and style by hash and allows no fetch in file mode, only its own origin in live mode', () => {
    const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '').replaceAll('&#39;', "'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(script.length).toBeGreaterThan(100);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).not.toContain('connect-src');
    const live = renderInspectorPage(model, charts, { live: true });
    expect(live).toContain('connect-src &#39;self&#39;');
  });

  it('references no external resource: no http(s) URL, link, or src attribute anywhere in the page', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b/);
    expect(html).not.toMatch(/<[a-z]+\b[^>]*\ssrc=/i);
  });
});
