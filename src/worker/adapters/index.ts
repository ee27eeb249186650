// The agent CLI adapters. The composition root passes them to
// createAdapterRegistry beside the `command` adapter.
import type { Config } from '../../domain/config.js';
import type { WorkerAdapter } from '../adapter.js';
import { createClaudeAdapter } from './claude.js';
import { createCodexAdapter } from './codex.js';
import { createGeminiAdapter } from './gemini.js';

export { CLAUDE_CLI, createClaudeAdapter, parseClaudeResult } from './claude.js';
export { CODEX_CLI, codexSandboxMode, createCodexAdapter, modelFromArgv, parseCodexResult } from './codex.js';
export type { CodexSandboxMode } from './codex.js';
export { GEMINI_CLI, GEMINI_PROMPT_ARG, createGeminiAdapter, parseGeminiResult } from './gemini.js';
export { DEFAULT_MAX_TURNS, checkAgentCli, parseVersion, priceTokens } from './agentCli.js';
export type { AgentAdapterOptions, AgentCliSpec, TokenCounts, Version } from './agentCli.js';
export { deriveAgentOutcome, parseJsonLines, usageOf } from './agentResult.js';

/**
 * claude, codex and gemini, configured from `config.adapters.<name>`
 * (prices) with relative executables resolved against `projectRoot`.
 *
 * @example
 * createAdapterRegistry([createCommandAdapter(), ...createAgentAdapters(config, repoRoot)])
 */
export function createAgentAdapters(config: Config, projectRoot: string): WorkerAdapter[] {
  const options = (name: string) => {
    const prices = config.adapters[name]?.prices;
    return prices === undefined ? { projectRoot } : { projectRoot, prices };
  };
  return [createClaudeAdapter(options('claude')), createCodexAdapter(options('codex')), createGeminiAdapter(options('gemini'))];
}
