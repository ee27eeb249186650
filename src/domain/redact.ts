// Secret redaction for every text the runner keeps from untrusted output
// (completion summaries, verification output tails): common token formats,
// plus the values of secret-looking variables of the runner's environment.
// Pure. Redact after joining chunks: a token split across two writes is
// whole again in the joined text.

/** What a redacted secret becomes. */
export const REDACTED = '[redacted]';

/** Token formats redacted wherever they appear. Each is specific enough not to eat ordinary prose. */
export const SECRET_PATTERNS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  // PEM private keys, up to their END line (or the end of the text, when cut).
  { name: 'private key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  // OpenAI / Anthropic style keys: sk-…, sk-proj-…, sk-ant-…
  { name: 'sk key', pattern: /\bsk-[A-Za-z0-9_-]{16,}/g },
  { name: 'github fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g },
  { name: 'github token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g },
  { name: 'aws access key id', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  { name: 'slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { name: 'google api key', pattern: /\bAIza[0-9A-Za-z_-]{30,}/g },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  // key=value / "key": "value" assignments of secret-named settings.
  { name: 'secret assignment', pattern: /\b((?:[A-Za-z0-9]+_)*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY)(?:_[A-Za-z0-9]+)*["']?\s*[:=]\s*["']?)([^\s"',;]{8,})/gi },
];

/** Environment variable names whose values are treated as secrets. */
const SECRET_NAME = /(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE|CREDENTIAL|AUTH|SESSION|COOKIE|(?:^|_)KEY(?:_|$))/i;
/** Shorter values are too likely to be ordinary words to replace everywhere. */
const MIN_KNOWN_SECRET = 8;

/** The values of the secret-looking variables of an environment (for `redactSecrets`'s `known`). */
export function secretValuesOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= MIN_KNOWN_SECRET && SECRET_NAME.test(name)) values.add(value);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export interface RedactOptions {
  /** Exact secret values to replace wherever they occur (see secretValuesOf). */
  readonly known?: readonly string[];
  /**
   * The text is the end of something longer (a tail): a token-like run at its
   * very start may be the rest of a token whose prefix was cut off, so it goes too.
   */
  readonly truncatedStart?: boolean;
}

/**
 * Replace secrets in `text` with `[redacted]`.
 * @example
 * redactSecrets('key sk-abcdefghijklmnop1234 used') // 'key [redacted] used'
 */
export function redactSecrets(text: string, options: RedactOptions = {}): string {
  let out = text;
  for (const secret of options.known ?? []) {
    if (secret.length >= MIN_KNOWN_SECRET) out = out.split(secret).join(REDACTED);
  }
  for (const { pattern } of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, prefix?: unknown) => (typeof prefix === 'string' && prefix !== match ? `${prefix}${REDACTED}` : REDACTED));
  }
  // Tokens are at most a few hundred characters: a longer run is output, not a cut token.
  if (options.truncatedStart === true) out = out.replace(/^[A-Za-z0-9_+/=.-]{8,512}(?![A-Za-z0-9_+/=.-])/, REDACTED);
  return out;
}
