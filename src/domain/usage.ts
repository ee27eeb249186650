import * as z from 'zod';

/** Spend reported by adapters. Tokens are counts; cost is US dollars. */
export const UsageSchema = z.strictObject({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  costUsd: z.number().min(0),
  /** Attempts whose adapter could not report usage: spend is then unknown, and a spend budget fails closed. */
  unknownAttempts: z.number().int().min(0),
});
export type Usage = z.output<typeof UsageSchema>;

export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0 };
