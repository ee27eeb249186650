import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportsWithoutExample } from './jsdoc.js';

/** What an app embedding buran needs from `import … from 'buran'`. */
const NEEDED = [
  'createRunner',
  'runMachine',
  'taskMachine',
  'loadPacket',
  'checkPacket',
  'approvePacket',
  'createMemoryStore',
  'createFileStore',
  'createMemoryLocks',
  'createFileLocks',
  'createScriptedEffects',
  'createLocalEffects',
  'bindEffects',
  'createAdapterRegistry',
  'createCommandAdapter',
  'buildWorkerEnv',
  'defaultDeriveOutcome',
  'BLOCKER_CODES',
  'makeBlocker',
  'BuranError',
  'isBuranError',
  'ERROR_CODES',
  'describeChart',
  'describeMachine',
  'exportMachine',
  'exportChart',
  'toJson',
  'toScxml',
  'toMermaid',
  'toDot',
];

/** Chart configs live in machines/, which holds configuration only; their examples are in docs/library.md. */
const CONFIG_ONLY = ['runChart', 'taskChart', 'taskActorId'];

const root = process.cwd();
const node = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe("the library API ('buran')", () => {
  it('has a JSDoc @example on every exported function, class and constant', () => {
    const { checked, missing } = exportsWithoutExample(join(root, 'src/index.ts'));
    expect(checked).toEqual(expect.arrayContaining(NEEDED));
    expect(missing.filter((name) => !CONFIG_ONLY.includes(name))).toEqual([]);
  });

  describe('as built (dist, through the exports map)', () => {

    it("exports what an embedding app needs from 'buran', and the pure charts from 'buran/machines'", () => {
      const run = node("const b = await import('buran'); const m = await import('buran/machines'); console.log(JSON.stringify({ b: Object.keys(b), m: Object.keys(m) }));");
      expect(run.stderr).toBe('');
      const keys = JSON.parse(run.stdout) as { b: string[]; m: string[] };
      expect(keys.b).toEqual(expect.arrayContaining(NEEDED));
      expect(keys.m.sort()).toEqual(['runChart', 'taskActorId', 'taskChart']);
    });

    it('drives a run to handoff with the in-memory store and scripted effects, and exports its chart', () => {
      const run = node(`
        import { createRunner, createMemoryStore, createMemoryLocks, createScriptedEffects, DEFAULT_LIMITS, exportMachine } from 'buran';
        const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
        const input = { runId: 'r1', approvedHash: 'sha256:' + 'a'.repeat(64), tasks: [{ id: 't', dependsOn: [], scope: ['src'] }], limits: DEFAULT_LIMITS };
        await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
        const result = await runner.drive('r1');
        console.log(result.status, (await runner.events('r1')).length, exportMachine('task', 'mermaid').split('\\n')[0]);
      `);
      expect(run.stderr).toBe('');
      const [status, events, header] = run.stdout.trim().split(' ');
      expect(status).toBe('handoff_ready');
      expect(Number(events)).toBeGreaterThan(5);
      expect(header).toBe('stateDiagram-v2');
    });

    it('ships type declarations a TypeScript app compiles against, and that reject wrong use', () => {
      const dir = join(root, 'test-artifacts', 'library-consumer');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['app.ts'] }),
      );
      const app = [
        "import { createRunner, createMemoryStore, createMemoryLocks, createScriptedEffects, exportMachine, type DriveResult, type WorkerAdapter, type RunEffects } from 'buran';",
        "import { runChart } from 'buran/machines';",
        'const effects: RunEffects = createScriptedEffects();',
        'const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });',
        "export const pending: Promise<DriveResult> = runner.drive('r1');",
        "export const text: string = exportMachine('run', 'dot');",
        'export const id: string = runChart.id;',
        'export type Adapter = WorkerAdapter;',
      ];
      const tsc = (lines: string[]) => {
        writeFileSync(join(dir, 'app.ts'), `${lines.join('\n')}\n`);
        return spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', timeout: 60_000 });
      };
      const good = tsc(app);
      expect(good.stdout + good.stderr).toBe('');
      expect(good.status).toBe(0);
      const bad = tsc([...app, "export const wrong: number = exportMachine('run', 'png');"]);
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toContain('app.ts(9,');
    });
  });
});
