import { describe, expect, it } from 'vitest';
import { FRAGMENT_MIN, REDACTED, base64Forms, redactKnown, redactSecrets, secretValuesOf } from '../../src/domain/redact.js';
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

describe('known secret values in other forms', () => {
  // A 40-character value from a secret-named variable of the runner.
  const SECRET = 'Zq7-runner-deploy-credential-0123456789X';
  const known = secretValuesOf({ DEPLOY_TOKEN: SECRET });
  const leaks = (out: string) => [SECRET, ...base64Forms(SECRET)].some((form) => out.includes(form) || out.includes(form.slice(0, FRAGMENT_MIN)));

  it.each([0, 1, 2])('redacts the value base64-encoded inside a longer stream at byte offset %i, standard and url-safe', (offset) => {
    for (const suffix of ['', 'x', 'yz', ' trailing bytes']) {
      const standard = Buffer.from(`${'p'.repeat(offset)}${SECRET}${suffix}`).toString('base64');
      const urlSafe = Buffer.from(`${'\u00ff'.repeat(offset)}${SECRET}?>${suffix}`).toString('base64url');
      for (const encoded of [standard, urlSafe]) {
        const out = redactSecrets(`payload=${encoded};`, { known });
        expect(out).toContain(REDACTED);
        expect(leaks(out), out).toBe(false);
        expect(out.startsWith('payload=')).toBe(true);
      }
    }
  });

  it('redacts a base64 block wrapped at 76 columns (MIME style)', () => {
    const encoded = Buffer.from(`${'header '.repeat(12)}${SECRET}${' footer'.repeat(12)}`).toString('base64');
    const wrapped = encoded.match(/.{1,76}/g)?.join('\n') ?? '';
    expect(wrapped).toContain('\n');
    expect(leaks(redactSecrets(wrapped, { known }).replaceAll('\n', ''))).toBe(false);
  });

  it('redacts the value split across a line break or spread over whitespace, whatever the lengths of the pieces', () => {
    expect(redactSecrets(`token ${SECRET.slice(0, 5)}\n${SECRET.slice(5)} end`, { known })).toBe(`token ${REDACTED} end`);
    expect(redactSecrets(`x ${SECRET.split('').join(' ')} y`, { known })).toBe(`x ${REDACTED} y`);
    const short = secretValuesOf({ SHORT_TOKEN: 'abcd1234' });
    expect(redactSecrets('see abcd\r\n1234 here', { known: short })).toBe(`see ${REDACTED} here`);
  });

  it(`redacts any run of ${FRAGMENT_MIN} or more characters of the value: halves printed apart, a cut prefix or suffix`, () => {
    const out = redactSecrets(`first half: ${SECRET.slice(0, 20)}, and later the rest: ${SECRET.slice(20)}.`, { known });
    expect(out).toBe(`first half: ${REDACTED}, and later the rest: ${REDACTED}.`);
    expect(redactSecrets(`...${SECRET.slice(3, 3 + FRAGMENT_MIN)}...`, { known })).toBe(`...${REDACTED}...`);
  });

  it(`keeps pieces shorter than ${FRAGMENT_MIN} characters that stand apart (the documented limit), and ordinary text`, () => {
    const pieces = `a ${SECRET.slice(0, 11)} b ${SECRET.slice(11, 22)} c`;
    expect(redactSecrets(pieces, { known })).toBe(pieces);
    const prose = 'the runner deploys with a credential from the vault; commit 3f2a9c1d5e7b9a0c2d4e';
    expect(redactSecrets(prose, { known })).toBe(prose);
  });

  it('catches a path-like value whole only: its fragments are ordinary path prefixes', () => {
    const paths = secretValuesOf({ GOOGLE_APPLICATION_CREDENTIALS: '/home/builder/.config/gcloud/key.json' });
    expect(redactSecrets('read /home/builder/.config/gcloud/key.json now', { known: paths })).toBe(`read ${REDACTED} now`);
    expect(redactSecrets('cwd /home/builder/.config/other', { known: paths })).toBe('cwd /home/builder/.config/other');
  });

  it('redactKnown leaves text without any known form untouched, byte for byte', () => {
    const text = '  line one\n\tline two  \n';
    expect(redactKnown(text, known)).toBe(text);
    expect(redactKnown(text, [])).toBe(text);
  });
});

describe('URL credentials', () => {
  it('redacts the password of a URL, keeping the scheme, user and host', () => {
    expect(redactSecrets("fatal: unable to access 'https://x-access-token:s3cr3tvalue99@github.com/acme/widgets.git/'")).toBe(
      `fatal: unable to access 'https://x-access-token:${REDACTED}@github.com/acme/widgets.git/'`,
    );
    expect(redactSecrets('see https://github.com/acme/widgets and user@host:path')).toBe('see https://github.com/acme/widgets and user@host:path');
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
