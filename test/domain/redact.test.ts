import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets, secretValuesOf } from '../../src/domain/redact.js';
import { OutputTail } from '../../src/gates/outputTail.js';

// Token-shaped strings assembled at run time, so no literal token sits in the source.
const tok = (...parts: string[]) => parts.join('');
const SAMPLES = {
  openai: tok('sk-', 'proj-', 'A1b2C3d4E5f6G7h8I9j0KlMn'),
  anthropic: tok('sk-', 'ant-api03-', 'abcdefghijklmnopqrstuvwx'),
  ghp: tok('gh', 'p_', 'a'.repeat(36)),
  pat: tok('github', '_pat_', '11ABCDEFG0123456789_abcdefghijklmnop'),
  aws: tok('AK', 'IA', 'ABCDEFGHIJKLMNOP'),
  slack: tok('xo', 'xb-', '1234567890-abcdefghij'),
  jwt: tok('ey', 'JhbGciOiJIUzI1NiJ9', '.', 'ey', 'JzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'),
  pem: tok('-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA ', 'PRIVATE KEY-----'),
};

describe('redactSecrets', () => {
  it.each(Object.entries(SAMPLES))('redacts a %s token wherever it appears', (_name, secret) => {
    const out = redactSecrets(`before ${secret} after`);
    expect(out).toBe(`before ${REDACTED} after`);
    expect(out).not.toContain(secret.slice(4, 16));
  });

  it('keeps ordinary prose, paths, hashes and commit ids', () => {
    const text = 'sk-learn is a library; see src/task-key.ts at 3f2a9c1d5e7b9a0c2d4e6f8a0b1c3d5e7f9a1b3c and sha256:' + 'ab'.repeat(32);
    expect(redactSecrets(text)).toBe(text);
  });

  it('redacts the value of secret-named assignments, keeping the name', () => {
    expect(redactSecrets('DB_PASSWORD=hunter2hunter2 and "api_key": "abcd1234efgh"')).toBe(`DB_PASSWORD=${REDACTED} and "api_key": "${REDACTED}"`);
  });

  it('redacts exact known values (the runner\'s secret variables), longest first', () => {
    const known = secretValuesOf({ MY_SERVICE_TOKEN: 'plain-looking-value-123', HOME: '/root', SHORT_SECRET: 'abc', DEPLOY_KEY_EXTRA: 'plain-looking-value-123-and-more' });
    expect(known).toEqual(['plain-looking-value-123-and-more', 'plain-looking-value-123']);
    expect(redactSecrets('x plain-looking-value-123-and-more y plain-looking-value-123 z /root', { known })).toBe(`x ${REDACTED} y ${REDACTED} z /root`);
  });

  it('redacts a token-like run at the start of a truncated tail (its prefix was cut off)', () => {
    expect(redactSecrets('aaaaaaaaaaaaaaaaaaaa rest', { truncatedStart: true })).toBe(`${REDACTED} rest`);
    expect(redactSecrets('aaaaaaaaaaaaaaaaaaaa rest')).toBe('aaaaaaaaaaaaaaaaaaaa rest');
  });
});

describe('OutputTail redaction', () => {
  it('redacts a token split across two chunks', () => {
    const tail = new OutputTail(4096);
    tail.push(`token: ${SAMPLES.ghp.slice(0, 9)}`);
    tail.push(`${SAMPLES.ghp.slice(9)} done\n`);
    expect(tail.text()).toBe(`token: ${REDACTED} done\n`);
  });

  it('redacts the rest of a token whose start fell out of the tail', () => {
    const tail = new OutputTail(40);
    tail.push(`${'x'.repeat(100)} key ${SAMPLES.ghp}\nend\n`);
    const text = tail.text();
    expect(text).not.toContain('a'.repeat(20));
    expect(text).toContain(REDACTED);
  });
});
