// A fix attempt's prompt carries what failed: the verification command's own
// output (through its finding) and an agent reviewer's findings, fenced as data.
import { describe, expect, it } from 'vitest';
import { commandFinding } from '../../src/gates/verification.js';
import { buildPrompt } from '../../src/worker/prompt.js';

describe('fix prompts', () => {
  it('quote the failed verification output and the review findings', () => {
    const failed = commandFinding({ argv: ['npm', 'test'], exitCode: 1, timedOut: false, durationMs: 10, stdoutTail: '1 test failed\n', stderrTail: 'AssertionError: expected 2 to be 3\n' }, 'alpha');
    const review = { message: 'the greeting is misspelled', severity: 'error' as const, rule: 'agent_review', file: 'src/alpha.txt', line: 2, taskId: 'alpha' };
    const prompt = buildPrompt({
      runId: 'r1',
      task: { id: 'alpha', title: 'Alpha', instructions: 'Do alpha.', acceptance: ['works'], scope: ['src/alpha.txt'] },
      packet: { title: 'P', goal: 'G' },
      attempt: { attemptId: 'alpha.a2', number: 2 },
      epoch: 2,
      findings: [failed, review],
      completionFile: '/tmp/c.json',
    });
    const section = prompt.slice(prompt.indexOf('## Findings to fix'), prompt.indexOf('## Completion contract'));
    expect(section).toMatchInlineSnapshot(`
      "## Findings to fix

      The previous round of checks found these problems; this attempt (epoch 2) must fix them:

      \`\`\`text
      1. [error] verification_failed: verification command ["npm","test"] failed (exit code 1)
      stderr (last lines):
      AssertionError: expected 2 to be 3
      stdout (last lines):
      1 test failed
      2. [error] agent_review src/alpha.txt:2: the greeting is misspelled
      \`\`\`

      "
    `);
  });
});
