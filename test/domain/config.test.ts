import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, checkConfig } from '../../src/domain/config.js';

describe('DEFAULT_CONFIG', () => {
  it('passes only a minimal environment to child processes', () => {
    expect(DEFAULT_CONFIG.env.allowlist).toEqual(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'USER']);
  });

  it('protects buran and git state, CI, manifests, lock files and test/compiler configs', () => {
    expect(DEFAULT_CONFIG.policy.protectedPaths).toEqual([
      '.buran/**',
      '.git/**',
      '.github/**',
      '.gitlab-ci.yml',
      '.ci/**',
      'package-lock.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'package.json',
      'vitest.config.*',
      'jest.config.*',
      'tsconfig*.json',
    ]);
  });

  it('opens no pull requests, configures no adapters and stores runs in .buran', () => {
    expect(DEFAULT_CONFIG.policy.pullRequest).toEqual({ enabled: false, repos: [] });
    expect(DEFAULT_CONFIG.adapters).toEqual({});
    expect(DEFAULT_CONFIG.store).toEqual({ dir: '.buran' });
  });
});

describe('checkConfig', () => {
  it('fills in defaults around the fields given', () => {
    const { config, problems } = checkConfig({
      schema: 'buran.config/v1',
      adapters: { claude: { model: 'opus', maxTurns: 40, envAllowlist: ['ANTHROPIC_API_KEY'] } },
      policy: { pullRequest: { enabled: true, repos: ['acme/widgets'] } },
    });
    expect(problems).toEqual([]);
    expect(config?.adapters['claude']).toEqual({ model: 'opus', maxTurns: 40, envAllowlist: ['ANTHROPIC_API_KEY'] });
    expect(config?.policy.protectedPaths).toEqual(DEFAULT_CONFIG.policy.protectedPaths);
    expect(config?.env).toEqual(DEFAULT_CONFIG.env);
    expect(config?.policy.pullRequest).toEqual({ enabled: true, repos: ['acme/widgets'] });
  });

  it('does not share default arrays between configs', () => {
    const first = checkConfig({ schema: 'buran.config/v1' }).config;
    first?.env.allowlist.push('SECRET');
    expect(checkConfig({ schema: 'buran.config/v1' }).config?.env.allowlist).not.toContain('SECRET');
    expect(DEFAULT_CONFIG.env.allowlist).not.toContain('SECRET');
  });

  it('rejects unknown fields, bad adapter names, bad env names and bad repos, all at once', () => {
    const { config, problems } = checkConfig({
      schema: 'buran.config/v1',
      adapters: { 'Bad Name': {}, codex: { shell: true } },
      env: { allowlist: ['PATH', 'NOT-A-NAME'] },
      policy: { pullRequest: { repos: ['https://github.com/acme/widgets'] } },
      extra: 1,
    });
    expect(config).toBeNull();
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      'adapters.codex.shell unrecognized_keys',
      'adapters["Bad Name"] invalid_key',
      'env.allowlist[1] invalid_format',
      'extra unrecognized_keys',
      'policy.pullRequest.repos[0] invalid_format',
    ]);
  });

  it('rejects an adapter named __proto__, which a zod record would silently drop', () => {
    const raw: unknown = JSON.parse('{"schema":"buran.config/v1","adapters":{"__proto__":{"executable":"/tmp/evil"}}}');
    expect(checkConfig(raw)).toMatchObject({ config: null, problems: [{ path: 'adapters.__proto__', code: 'forbidden_key' }] });
  });

  it('requires the schema field', () => {
    expect(checkConfig({}).problems).toMatchObject([{ path: 'schema' }]);
  });

  it('refuses protected-path globs using unsupported syntax, with a corrected example', () => {
    const { config, problems } = checkConfig({ schema: 'buran.config/v1', policy: { protectedPaths: ['ci/*.{yml,yaml}', 'secrets/{x}'] } });
    expect(config).toBeNull();
    expect(problems).toMatchObject([{ path: 'policy.protectedPaths[1]', code: 'unsupported_glob' }]);
    expect(problems[0]?.message).toContain('"secrets/x"');
  });
});
