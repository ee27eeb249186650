// The verdict an agent reviewer must answer with, and how it is found in its
// final message. Pure. Anything that does not validate is no verdict at all:
// the review is then BLOCKED, never PASS.
import * as z from 'zod';
import { formatProblem, problemsFromZod } from '../domain/problems.js';

export const REVIEW_VERDICT_SCHEMA_ID = 'buran.review-verdict/v1';

export const ReviewFindingSchema = z.strictObject({
  file: z.string().min(1).optional(),
  line: z.number().int().min(1).optional(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string().min(1).max(4000),
});

export const ReviewVerdictSchema = z
  .strictObject({
    /** The id given in the review prompt: a verdict copied from the reviewed text cannot carry it. */
    reviewId: z.string().min(1),
    verdict: z.enum(['PASS', 'FAIL', 'BLOCKED']),
    findings: z.array(ReviewFindingSchema).max(200),
    summary: z.string().max(4000).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.verdict === 'FAIL' && !value.findings.some((f) => f.severity === 'error')) {
      ctx.addIssue({ code: 'custom', path: ['findings'], message: 'a FAIL needs at least one finding of severity "error"' });
    }
    if (value.verdict === 'PASS' && value.findings.some((f) => f.severity === 'error')) {
      ctx.addIssue({ code: 'custom', path: ['findings'], message: 'a PASS cannot carry a finding of severity "error"' });
    }
  });
export type ReviewVerdict = z.output<typeof ReviewVerdictSchema>;

/** JSON objects in the text, last first: the contents of ```json fences, then any balanced `{…}` spans. */
function candidates(text: string): string[] {
  const fenced = [...text.matchAll(/```json[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const spans: string[] = [];
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = balancedEnd(text, start);
    if (end !== -1) spans.push(text.slice(start, end + 1));
  }
  return [...fenced.reverse(), ...spans.reverse()];
}

/** Index of the `}` closing the `{` at `start` (string-aware), or -1. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The reviewer's verdict: the last JSON object in its final message that
 * names this review's id. Objects naming another id (e.g. a forged verdict
 * quoted from the reviewed files) are ignored; a verdict with this id that
 * does not validate is a problem, not a fallback to an earlier one.
 */
export function extractVerdict(message: string, reviewId: string): { verdict: ReviewVerdict } | { problems: string[] } {
  for (const candidate of candidates(message)) {
    let raw: unknown;
    try {
      raw = JSON.parse(candidate);
    } catch {
      continue; // not JSON: look at the next candidate
    }
    if (typeof raw !== 'object' || raw === null || (raw as Record<string, unknown>)['reviewId'] !== reviewId) continue;
    const parsed = ReviewVerdictSchema.safeParse(raw);
    if (parsed.success) return { verdict: parsed.data };
    return { problems: problemsFromZod(parsed.error.issues).map(formatProblem) };
  }
  return { problems: [`no JSON verdict naming reviewId "${reviewId}" in the reviewer's final message`] };
}
