// What a command loads before it runs: the CLI's entry only commander and the
// command definitions (so --help and a bad option cost no library), and
// status only what reading a run needs (no chart layout, exports, YAML,
// gates or effects).
import { describe, expect, it } from 'vitest';
import { importGraph } from './importGraph.js';

const builtins = (packages: Set<string>) => [...packages].filter((p) => !p.startsWith('node:')).sort();

describe('lazy command modules', () => {
  it('the CLI entry loads commander and the command definitions only', () => {
    const graph = importGraph('src/cli/main.ts');
    expect(builtins(graph.packages)).toEqual(['commander']);
    expect([...graph.files].filter((f) => f.startsWith('src/cli/actions/') || f.startsWith('src/engine/'))).toEqual([]);
  });

  it('status loads neither the inspector, the exports, YAML, the gates, the effects nor execa', () => {
    const graph = importGraph('src/cli/actions/statusRun.ts');
    for (const heavy of ['elkjs', '@xstate/graph', 'yaml', 'picomatch', 'execa']) expect(graph.packages.has(heavy), heavy).toBe(false);
    const effects = ['src/engine/localEffects.ts', 'src/gates/verification.ts', 'src/gates/agentReviewer.ts', 'src/worker/dispatch.ts'];
    const far = [...graph.files].filter((f) => /^src\/(inspect|export|handoff|notify)\//.test(f) || effects.includes(f));
    expect(far).toEqual([]);
  });

  it('status without --run (the index) loads no chart', () => {
    const graph = importGraph('src/cli/actions/status.ts');
    expect(graph.packages.has('xstate')).toBe(false);
    expect([...graph.files].filter((f) => f.startsWith('machines/') || f === 'src/engine/runner.ts')).toEqual([]);
  });

  it('only the worker agent loads the queue (bullmq, ioredis): status, run and the CLI entry do not', () => {
    for (const entry of ['src/cli/main.ts', 'src/cli/actions/statusRun.ts', 'src/cli/actions/status.ts', 'src/cli/actions/run.ts']) {
      const graph = importGraph(entry);
      expect(['bullmq', 'ioredis'].filter((p) => graph.packages.has(p)), entry).toEqual([]);
    }
    expect(importGraph('src/cli/actions/worker.ts').packages.has('bullmq')).toBe(true);
  });

  it('the graph walk sees what a command module imports (a probe that would pass vacuously otherwise)', () => {
    expect(importGraph('src/cli/actions/inspect.ts').packages.has('elkjs')).toBe(true);
  });
});
