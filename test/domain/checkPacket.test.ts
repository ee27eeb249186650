import { describe, expect, it } from 'vitest';
import { checkPacket, repoPathProblem, toTaskSpecs } from '../../src/domain/checkPacket.js';
import type { Problem } from '../../src/domain/problems.js';
import { packet, task } from '../fixtures/packets/build.js';

/** The problems of a check as `path code` lines, easy to compare. */
function found(raw: unknown): string[] {
  return checkPacket(raw).problems.map((problem: Problem) => `${problem.path} ${problem.code}`);
}

function only(raw: unknown): Problem {
  const { packet: parsed, problems } = checkPacket(raw);
  expect(parsed).toBeNull();
  expect(problems).toHaveLength(1);
  const [problem] = problems;
  if (problem === undefined) throw new Error('expected one problem');
  return problem;
}

describe('checkPacket', () => {
  it('returns the parsed packet and no problems for a sufficient packet', () => {
    const { packet: parsed, problems } = checkPacket(packet());
    expect(problems).toEqual([]);
    expect(parsed?.tasks.map((t) => t.id)).toEqual(['a', 'b']);
  });

  it('lets a packet raise maxDispatches past the old cap of 1,000 (a run of many tasks needs one dispatch each), up to 1,000,000', () => {
    expect(checkPacket({ ...packet(), limits: { maxDispatches: 25_000 } }).packet?.limits.maxDispatches).toBe(25_000);
    expect(found({ ...packet(), limits: { maxDispatches: 1_000_001 } })).toEqual(['limits.maxDispatches too_big']);
  });

  describe('task graph', () => {
    it('rejects duplicate task ids at the later one', () => {
      const problem = only(packet({ tasks: [task('a'), task('a')] }));
      expect(problem).toMatchObject({ path: 'tasks[1].id', code: 'duplicate_id' });
      expect(problem.message).toContain('tasks[0]');
    });

    it('rejects a dependsOn entry naming an unknown task', () => {
      const problem = only(packet({ tasks: [task('a'), task('b', { dependsOn: ['lint'] })] }));
      expect(problem).toMatchObject({ path: 'tasks[1].dependsOn[0]', code: 'unknown_dependency' });
      expect(problem.message).toContain('"lint"');
    });

    it('rejects a task that depends on itself', () => {
      const problem = only(packet({ tasks: [task('a', { dependsOn: ['a'] })] }));
      expect(problem).toMatchObject({ path: 'tasks[0].dependsOn[0]', code: 'self_dependency' });
    });

    it('rejects the same dependency listed twice', () => {
      const problem = only(packet({ tasks: [task('a'), task('b', { dependsOn: ['a', 'a'] })] }));
      expect(problem).toMatchObject({ path: 'tasks[1].dependsOn[1]', code: 'duplicate_dependency' });
    });

    it('rejects a dependency cycle and names its path', () => {
      const problem = only(packet({ tasks: [task('a', { dependsOn: ['b'] }), task('b', { dependsOn: ['a'] })] }));
      expect(problem).toMatchObject({ path: 'tasks[1].dependsOn[0]', code: 'dependency_cycle' });
      expect(problem.message).toContain('a -> b -> a');
    });

    it('reports a longer cycle once, not once per member', () => {
      const tasks = [task('a', { dependsOn: ['c'] }), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['b'] }), task('d', { dependsOn: ['a'] })];
      const problem = only(packet({ tasks }));
      expect(problem.message).toContain('a -> c -> b -> a');
    });

    it('accepts a diamond, which shares dependencies without a cycle', () => {
      const tasks = [task('a'), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['a'] }), task('d', { dependsOn: ['b', 'c'] })];
      expect(found(packet({ tasks }))).toEqual([]);
    });

    it('handles a long dependency chain without overflowing the stack', () => {
      const tasks = Array.from({ length: 5000 }, (_, i) => task(`t${i}`, { dependsOn: i === 0 ? ['t4999'] : [`t${i - 1}`] }));
      expect(found(packet({ tasks }))).toEqual(['tasks[1].dependsOn[0] dependency_cycle']);
    });
  });

  describe('text a worker acts on', () => {
    it('rejects empty instructions', () => {
      expect(only(packet({ tasks: [task('a', { instructions: '' })] })).path).toBe('tasks[0].instructions');
    });

    it('rejects instructions that are only whitespace', () => {
      expect(only(packet({ tasks: [task('a', { instructions: ' \n\t ' })] }))).toMatchObject({ path: 'tasks[0].instructions', code: 'blank' });
    });

    it('rejects a task with no acceptance criteria', () => {
      const problem = only(packet({ tasks: [task('a', { acceptance: [] })] }));
      expect(problem).toMatchObject({ path: 'tasks[0].acceptance', code: 'too_small' });
    });

    it('rejects a blank acceptance criterion', () => {
      expect(only(packet({ tasks: [task('a', { acceptance: ['ok', '   '] })] }))).toMatchObject({ path: 'tasks[0].acceptance[1]', code: 'blank' });
    });

    it('rejects a blank goal', () => {
      expect(only(packet({ goal: '  ' }))).toMatchObject({ path: 'goal', code: 'blank' });
    });
  });

  describe('verification', () => {
    it('rejects a packet with no verification command', () => {
      const problem = only(packet({ verify: [] }));
      expect(problem.path).toBe('verify');
      expect(problem.message).toMatch(/at least one/);
    });

    it('rejects a packet without verify', () => {
      const { verify: _verify, ...rest } = packet();
      expect(only(rest)).toMatchObject({ path: 'verify', code: 'invalid_type' });
    });

    it('rejects an empty argv', () => {
      expect(only(packet({ verify: [['npm', 'test'], []] })).path).toBe('verify[1]');
    });
  });

  describe('scope paths', () => {
    it.each([
      ['/etc/passwd', /absolute/],
      ['C:/repo/src', /absolute/],
      ['../outside/**', /inside the repository/],
      ['src/../../outside', /inside the repository/],
      ['.git/config', /\.git/],
      ['.git', /\.git/],
      ['vendor/lib/.git/hooks/**', /\.git/],
      ['.GIT/hooks', /\.git/],
      ['.buran/runs/**', /\.buran/],
      ['./.buran', /\.buran/],
      ['src\\win', /backslash/],
      ['src/\0x', /control/],
      ['~/notes', /~/],
      ['  ', /blank/],
    ])('rejects %j', (scope, message) => {
      const problem = only(packet({ tasks: [task('a', { scope: ['src/ok/**', scope] })] }));
      expect(problem.path).toBe('tasks[0].scope[1]');
      expect(problem.message).toMatch(message);
    });

    it.each(['src/**', './src/api', 'docs/*.md', '.github/workflows/ci.yml', '.gitignore', 'src/.buran-notes', '**'])('accepts %j', (scope) => {
      expect(repoPathProblem(scope)).toBeNull();
    });

    it('checks protected paths in the packet policy but allows them to name .git', () => {
      expect(found(packet({ policy: { protectedPaths: ['.git/**', '/etc/**'] } }))).toEqual(['policy.protectedPaths[1] unsafe_path']);
    });
  });

  describe('glob syntax', () => {
    it('accepts brace, bracket and extglob scopes', () => {
      const { problems } = checkPacket(packet({ tasks: [task('a', { scope: ['src/**/*.{js,ts}', 'test/[ab]*.ts', 'docs/@(api|cli).md'] })] }));
      expect(problems).toEqual([]);
    });

    it.each([
      ['!test/**', /leading '!'/],
      ['src/{a}.ts', /"src\/a\.ts"/],
      ['src/*.{js,ts', /unbalanced '\{'/],
      ['src/"a".ts', /"src\/a\.ts"/],
      ['src/[a/b].ts', /'\/' inside \[\.\.\.\]/],
    ])('refuses a scope using %j, naming the field and a corrected example', (scope, message) => {
      const problem = only(packet({ tasks: [task('a', { scope: ['src/ok/**', scope] })] }));
      expect(problem).toMatchObject({ path: 'tasks[0].scope[1]', code: 'unsupported_glob' });
      expect(problem.message).toMatch(message);
    });

    it('refuses unsupported syntax in the packet protected paths too', () => {
      expect(found(packet({ policy: { protectedPaths: ['.git/**', 'secrets/{x}'] } }))).toEqual(['policy.protectedPaths[1] unsupported_glob']);
    });
  });

  describe('right forms in shape problems', () => {
    it('shows verify written as one string in the argv form', () => {
      const problem = only({ ...packet(), verify: 'npm test' });
      expect(problem).toMatchObject({ path: 'verify', code: 'invalid_type' });
      expect(problem.message).toBe('expected array, got string; write it as a list of commands, each an argv list (no shell), e.g. verify: [[npm, test]]');
    });

    it('shows one verify command written as a string in the argv form', () => {
      const problem = only({ ...packet(), verify: [['npm', 'test'], 'npx tsc --noEmit'] });
      expect(problem.path).toBe('verify[1]');
      expect(problem.message).toMatch(/e\.g\. \[npx, tsc, "--noEmit"\]$/);
    });

    it('shows worker.command and scope written as strings as lists', () => {
      const command = only({ ...packet(), worker: { adapter: 'command', command: 'bash ./agent.sh' } });
      expect(command).toMatchObject({ path: 'worker.command' });
      expect(command.message).toMatch(/command: \[bash, \.\/agent\.sh\]$/);
      const scope = only({ ...packet(), tasks: [{ ...task('a'), scope: 'src/**' }] });
      expect(scope).toMatchObject({ path: 'tasks[0].scope' });
      expect(scope.message).toMatch(/scope: \[src\/\*\*\]$/);
    });
  });

  describe('fields that are not part of a packet', () => {
    it('rejects an unknown field at the root', () => {
      expect(only({ ...packet(), owner: 'me' })).toMatchObject({ path: 'owner', code: 'unrecognized_keys' });
    });

    it('rejects an unknown field inside a task and inside worker', () => {
      const input = { ...packet(), tasks: [{ ...task('a'), priority: 1 }], worker: { adapter: 'command', shell: true } };
      expect(found(input)).toEqual(['tasks[0].priority unrecognized_keys', 'worker.shell unrecognized_keys']);
    });

    it('rejects a __proto__ key from JSON.parse at the root and nested, without polluting prototypes', () => {
      const text = JSON.stringify(packet()).replace('{', '{"__proto__":{"polluted":true},').replace('"id":"a"', '"__proto__":{"x":1},"id":"a"');
      const raw: unknown = JSON.parse(text);
      expect(found(raw)).toEqual(['__proto__ forbidden_key', 'tasks[0].__proto__ forbidden_key']);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('rejects constructor and prototype keys', () => {
      const raw: unknown = JSON.parse(JSON.stringify({ ...packet(), limits: { constructor: 1 }, policy: { prototype: [] } }));
      expect(found(raw)).toEqual(['limits.constructor forbidden_key', 'policy.prototype forbidden_key']);
    });

    it('rejects input nested far deeper than a packet', () => {
      let deep: unknown = 'x';
      for (let i = 0; i < 200; i++) deep = [deep];
      expect(checkPacket({ ...packet(), notes: deep }).problems.map((p) => p.code)).toContain('too_deep');
    });
  });

  describe('ids', () => {
    it.each(['../etc', ';rm -rf /', 'Demo', 'a b'])('rejects packet id %j', (id) => {
      expect(only(packet({ id }))).toMatchObject({ path: 'id', code: 'invalid_format' });
    });

    it('rejects a task id with a path traversal', () => {
      expect(only(packet({ tasks: [task('../x', { scope: ['src/**'] })] }))).toMatchObject({ path: 'tasks[0].id', code: 'invalid_format' });
    });
  });

  it('reports every problem at once, shape and sufficiency together', () => {
    const raw = {
      ...packet({
        goal: '',
        tasks: [task('a', { dependsOn: ['c'] }), task('a', { scope: ['/abs'] }), task('c', { dependsOn: ['a', 'ghost'], acceptance: [] })],
        verify: [],
      }),
      extra: true,
    };
    expect(found(raw)).toEqual([
      'goal too_small',
      'tasks[2].acceptance too_small',
      'verify too_small',
      'extra unrecognized_keys',
      'tasks[1].id duplicate_id',
      'tasks[1].scope[0] unsafe_path',
      'tasks[2].dependsOn[1] unknown_dependency',
      'tasks[2].dependsOn[0] dependency_cycle',
    ]);
  });

  it('lists at most 100 problems and counts the rest', () => {
    const raw: Record<string, unknown> = { ...packet() };
    for (let i = 0; i < 150; i++) raw[`extra${i}`] = i;
    const { problems } = checkPacket(raw);
    expect(problems).toHaveLength(101);
    expect(problems.at(-1)).toMatchObject({ path: '(root)', code: 'too_many_problems', message: '50 more problems not listed' });
  });

  it('lists several distinct cycles', () => {
    const tasks = [task('a', { dependsOn: ['b'] }), task('b', { dependsOn: ['a'] }), task('c', { dependsOn: ['d'] }), task('d', { dependsOn: ['c'] })];
    expect(checkPacket(packet({ tasks })).problems.map((p) => p.message)).toEqual([
      'dependency cycle: a -> b -> a (each task depends on the next)',
      'dependency cycle: c -> d -> c (each task depends on the next)',
    ]);
  });

  it('reports a missing field with a readable message', () => {
    const { title: _title, ...rest } = packet();
    expect(only(rest)).toMatchObject({ path: 'title', message: 'required (expected string)' });
  });

  it('rejects input that is not an object', () => {
    expect(only(null)).toMatchObject({ path: '(root)', code: 'invalid_type' });
    expect(only([])).toMatchObject({ path: '(root)', code: 'invalid_type' });
  });
});

describe('toTaskSpecs', () => {
  it('gives the scheduler id, dependsOn, scope and estimate of each task in order', () => {
    const { packet: parsed } = checkPacket(packet({ tasks: [task('a', { estimateMin: 5 }), task('b', { dependsOn: ['a'] })] }));
    if (parsed === null) throw new Error('fixture packet should be valid');
    expect(toTaskSpecs(parsed)).toEqual([
      { id: 'a', dependsOn: [], scope: ['src/a/**'], estimateMin: 5 },
      { id: 'b', dependsOn: ['a'], scope: ['src/b/**'] },
    ]);
    expect(toTaskSpecs(parsed)[1]).not.toHaveProperty('estimateMin');
  });
});
