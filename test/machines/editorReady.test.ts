import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assign, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { checkChartConfig, checkMachineSource, isDataMapperPosition, type DeclaredNames } from './editorReadyCheck.js';

const machinesDir = fileURLToPath(new URL('../../machines/', import.meta.url));
const files = readdirSync(machinesDir).filter((f) => f.endsWith('.machine.ts')).sort();

const namesOf = (machine: AnyStateMachine): DeclaredNames => ({
  actions: Object.keys(machine.implementations.actions),
  guards: Object.keys(machine.implementations.guards),
  actors: Object.keys(machine.implementations.actors),
  delays: Object.keys(machine.implementations.delays),
});

const isMachine = (value: unknown): value is AnyStateMachine =>
  typeof value === 'object' && value !== null && 'config' in value && 'implementations' in value && 'root' in value;

describe('machines/*.machine.ts are editor-ready', () => {
  it('finds the chart files', () => {
    expect(files).toEqual(['run.machine.ts', 'task.machine.ts']);
  });

  describe.each(files)('%s', (file) => {
    const source = checkMachineSource(readFileSync(join(machinesDir, file), 'utf8'), file);

    it('is one setup({...}).createMachine({...}) with an object-literal config of literals, exported as a const', () => {
      expect(source.problems).toEqual([]);
      expect(source.exportName).toMatch(/Chart$/);
    });

    it('has a runtime config with no function values outside the data mappers, and only names declared in setup', async () => {
      const mod = (await import(join(machinesDir, file))) as Record<string, unknown>;
      const machine = mod[source.exportName ?? ''];
      if (!isMachine(machine)) throw new Error(`${file}: ${String(source.exportName)} is not a state machine`);
      expect(checkChartConfig(machine.config, namesOf(machine))).toEqual([]);
      // What the source declares is what xstate registered.
      for (const kind of ['actions', 'guards', 'actors'] as const) expect(source.declared[kind], kind).toEqual(namesOf(machine)[kind]);
    });
  });
});

describe('the editor-ready check fires', () => {
  const names: DeclaredNames = { actions: ['log'], guards: ['ok'], actors: ['fetch'], delays: ['soon'] };
  const problemsOf = (config: unknown) => checkChartConfig(config, names);

  it('accepts a config that only uses declared names and the data mappers', () => {
    expect(problemsOf({ context: () => ({}), initial: 'a', states: { a: { invoke: { src: 'fetch', input: () => 1, onDone: { target: 'b', guard: 'ok', actions: [{ type: 'log', params: { n: 1 } }] } } }, b: { after: { soon: 'a', 500: 'a' } } } })).toEqual([]);
  });

  it('on an inline function action, an inline guard, a built-in action and a function in params', () => {
    expect(problemsOf({ states: { a: { entry: () => undefined } } })).toEqual(['states.a.entry: function value (inline implementation); name it in setup and reference it by string']);
    expect(problemsOf({ states: { a: { on: { GO: { guard: () => true, target: 'a' } } } } })).toEqual(['states.a.on.GO.guard: function value (inline implementation); name it in setup and reference it by string']);
    expect(problemsOf({ states: { a: { on: { GO: { actions: assign({}) } } } } })[0]).toMatch(/^states\.a\.on\.GO\.actions: function value/);
    expect(problemsOf({ states: { a: { exit: { type: 'log', params: () => ({}) } } } })).toEqual(['states.a.exit.params: function value (inline implementation); name it in setup and reference it by string']);
  });

  it('on names setup does not declare: action, guard, actor, delay', () => {
    expect(
      problemsOf({
        states: {
          a: { entry: ['nope'], always: { guard: 'maybe', target: 'b' }, invoke: [{ src: 'ghost' }], after: { later: 'b' } },
          b: {},
        },
      }),
    ).toEqual([
      'states.a.entry.0: action "nope" is not declared in setup',
      'states.a.always.guard: guard "maybe" is not declared in setup',
      'states.a.after.later: delay "later" is not declared in setup',
      'states.a.invoke.0.src: actor "ghost" is not declared in setup',
    ]);
  });

  it('allows functions only at the root context and at invoke input', () => {
    expect(isDataMapperPosition(['context'])).toBe(true);
    expect(isDataMapperPosition(['states', 'a', 'invoke', 'input'])).toBe(true);
    expect(isDataMapperPosition(['states', 'a', 'invoke', 1, 'input'])).toBe(true);
    expect(isDataMapperPosition(['states', 'a', 'context'])).toBe(false);
    expect(isDataMapperPosition(['states', 'invoke', 'input'])).toBe(false);
  });

  it('on source that is not one setup(...).createMachine({ literal })', () => {
    const ok = "import { setup } from 'xstate';\nexport const aChart = setup({ actions: { log: () => {} } }).createMachine({ initial: 'a', states: { a: { entry: 'log' } } });\n";
    expect(checkMachineSource(ok).problems).toEqual([]);
    expect(checkMachineSource(ok.replace("createMachine({ initial: 'a', states: { a: { entry: 'log' } } })", 'createMachine(config)')).problems).toContain('createMachine must get exactly one argument, an object literal');
    expect(checkMachineSource("import { createMachine } from 'xstate';\nexport const m = createMachine({ initial: 'a' });\n").problems).toEqual(
      expect.arrayContaining(['expected exactly one setup(...) call, found 0', 'createMachine is not called on the result of setup(...)']),
    );
    expect(checkMachineSource(ok.replace("entry: 'log'", 'entry: () => {}')).problems[0]).toMatch(/^states\.a\.entry \(line 2\): ArrowFunction is not a literal/);
    expect(checkMachineSource(ok.replace("entry: 'log'", "entry: assign({ n: 1 })")).problems[0]).toMatch(/^states\.a\.entry \(line 2\): CallExpression is not a literal/);
    expect(checkMachineSource(ok.replace("initial: 'a',", '...base,')).problems[0]).toMatch(/SpreadAssignment in the config/);
    expect(checkMachineSource(ok.replace('export const', 'const')).problems).toContain('the chart is not the initializer of an exported const');
  });
});
