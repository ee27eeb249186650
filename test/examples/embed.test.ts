import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

// The example imports 'buran' (the built package, through its self-reference), as an app would.
describe('examples/embed', () => {
  let stdout = '';
  let status: number | null = null;

  beforeAll(() => {
    const run = spawnSync(process.execPath, ['examples/embed/main.mjs'], { encoding: 'utf8', timeout: 90_000 });
    stdout = run.stdout;
    status = run.status;
    if (run.status !== 0) console.error(run.stderr);
  }, 150_000);

  const transitions = () =>
    stdout
      .split('\n')
      .map((line) => /^#(\d+) (run|task (\S+)): (\S*) -> (\S+) on (\S+)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ seq: Number(m[1]), task: m[3] ?? null, to: m[5] ?? '', on: m[6] ?? '' }));

  it('drives its packet to a handoff and prints the file the custom adapter wrote, from the run branch', () => {
    expect(status).toBe(0);
    expect(stdout).toContain('final: handoff_ready readyForReview\n');
    expect(stdout).toMatch(/^branch: buran\/embedded-edit-\S+$/m);
    expect(stdout).toMatch(/^hello\.txt on the branch: written by an embedded buran \(task hello, epoch 1\)$/m);
  });

  it('prints every transition it subscribed to, in seq order with no gaps', () => {
    const seqs = transitions().map((t) => t.seq);
    expect(seqs.length).toBeGreaterThan(10);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('shows the run going through every stage of a passing run', () => {
    const stages = transitions()
      .filter((t) => t.task === null)
      .map((t) => t.to)
      .filter((to, i, all) => to !== all[i - 1]);
    expect(stages).toEqual(['active.queued', 'active.prerequisites', 'active.preflight', 'active.leasing', 'active.implementing', 'active.verifying', 'active.reviewing', 'active.approvals', 'active.handoff', 'readyForReview']);
  });

  it('shows each task child dispatched, verified, reviewed and merged, the dependent one only after the first passed', () => {
    const steps = transitions();
    for (const task of ['hello', 'goodbye']) {
      expect(steps.filter((t) => t.task === task).map((t) => t.to)).toEqual([
        'working.dispatching',
        'working.awaiting',
        'working.committing',
        'working.verifying',
        'working.reviewing',
        'working.merging',
        'working.passed',
      ]);
    }
    const helloPassed = steps.findIndex((t) => t.task === 'hello' && t.to === 'working.passed');
    const goodbyeDispatched = steps.findIndex((t) => t.task === 'goodbye' && t.to === 'working.dispatching');
    expect(goodbyeDispatched).toBeGreaterThan(helloPassed);
  });
});
