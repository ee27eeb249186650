// The machines/ folder is pure configuration: the lint rule must refuse any
// runtime import other than xstate and sibling charts.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { machinesBoundary } from '../../eslint.config.js';

// Exactly the project's boundary rule, on a parser without type information,
// so a probe file that is not on disk can be linted.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } }, machinesBoundary],
});

async function problemsFor(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: 'machines/probe.machine.ts' });
  const messages = result?.messages ?? [];
  // A parse failure would make both tests pass vacuously.
  expect(messages.filter((m) => m.fatal === true)).toEqual([]);
  return messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('machines/** import boundary', () => {
  it('refuses node builtins, execa, lowdb and src runtime imports in a machine file', async () => {
    for (const source of ['node:fs', 'execa', 'lowdb', '../src/domain/blockers.js']) {
      expect(await problemsFor(`import * as m from '${source}';\nexport const x = m;\n`)).toHaveLength(1);
    }
  }, 60_000);

  it('allows xstate, sibling charts and type-only imports', async () => {
    const code = [
      "import { setup } from 'xstate';",
      "import { taskChart } from './task.machine.js';",
      "import type { Blocker } from '../src/domain/blockers.js';",
      'export const x: [typeof setup, typeof taskChart, Blocker | null] = [setup, taskChart, null];',
    ].join('\n');
    expect(await problemsFor(code)).toEqual([]);
  }, 60_000);
});
