// Secret redaction for every text the runner keeps from outside (completion
// summaries, verification output tails, reviewer text, git and gh errors at
// handoff): common token formats, plus the values of secret-looking variables
// of the runner's environment — verbatim, base64-encoded, split by whitespace,
// or in fragments of at least FRAGMENT_MIN characters. Pure. Redact after
// joining chunks: a token split across two writes is whole again in the
// joined text. This is the one home of redaction; callers pick what to redact.

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
  // The password of a URL's userinfo (https://user:password@host), as git and gh print remotes.
  { name: 'url credentials', pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:)([^\s@/]{3,})(?=@)/gi },
  // key=value / "key": "value" assignments of secret-named settings (a value already redacted above is left alone).
  { name: 'secret assignment', pattern: /\b((?:[A-Za-z0-9]+_)*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY)(?:_[A-Za-z0-9]+)*["']?\s*[:=]\s*["']?)((?!\[redacted\])[^\s"',;]{8,})/gi },
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
  /** The runner's secret values (see secretValuesOf); see `redactKnown` for the forms that are caught. */
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
  let out = options.known === undefined ? text : redactKnown(text, options.known);
  for (const { pattern } of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, prefix?: unknown) => (typeof prefix === 'string' && prefix !== match ? `${prefix}${REDACTED}` : REDACTED));
  }
  // Tokens are at most a few hundred characters: a longer run is output, not a cut token.
  if (options.truncatedStart === true) out = out.replace(/^[A-Za-z0-9_+/=.-]{8,512}(?![A-Za-z0-9_+/=.-])/, REDACTED);
  return out;
}

/** A run of at least this many characters of a known secret's value (or of its base64 forms) is redacted on its own. */
export const FRAGMENT_MIN = 12;

/** Values that name a file (a socket, a key file, a config path): their fragments are ordinary path prefixes. */
const PATH_LIKE = /^(?:~?\/|\.\.?\/|[A-Za-z]:[\\/])/;
const WHITESPACE = /\s/;

interface KnownForms {
  /** Whitespace-free forms replaced wherever they occur whole. */
  readonly whole: readonly string[];
  /** Every FRAGMENT_MIN-character window of the forms whose fragments are redacted too. */
  readonly windows: ReadonlySet<string>;
}

/**
 * The base64 text a value's bytes always produce inside a longer base64 stream,
 * for each of the 3 byte alignments (offset mod 3) and both alphabets
 * (standard, url-safe): the characters whose 6 bits all come from the value.
 * The 0–2 characters at either end, shared with the neighbouring bytes, are left out.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    forms.add(core);
    forms.add(core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...forms];
}

const compiled = new WeakMap<readonly string[], KnownForms>();

function formsOf(known: readonly string[]): KnownForms {
  const cached = compiled.get(known);
  if (cached !== undefined) return cached;
  const whole = new Set<string>();
  const windows = new Set<string>();
  for (const secret of known) {
    const value = secret.replace(/\s+/g, '');
    if (value.length < MIN_KNOWN_SECRET) continue;
    const forms = [value, ...base64Forms(secret)].filter((f) => f.length >= MIN_KNOWN_SECRET);
    for (const form of forms) whole.add(form);
    if (PATH_LIKE.test(secret)) continue;
    for (const form of forms) for (let i = 0; i + FRAGMENT_MIN <= form.length; i++) windows.add(form.slice(i, i + FRAGMENT_MIN));
  }
  const forms: KnownForms = { whole: [...whole].sort((a, b) => b.length - a.length), windows };
  compiled.set(known, forms);
  return forms;
}

/**
 * Replace the runner's known secret values in `text`, in every form it is caught in:
 * - the value itself, and its base64 forms (see `base64Forms`), whole: also when
 *   whitespace or line breaks were put between any of its characters;
 * - any run of at least FRAGMENT_MIN (12) characters of the value or of a base64 form
 *   (again ignoring whitespace inside the run): a secret cut in halves, printed on two
 *   lines or in two places, goes as long as each piece has 12 characters. Values that
 *   look like paths are caught whole only (their fragments are ordinary path prefixes).
 * Not caught: pieces shorter than 12 characters apart from each other, and any other
 * encoding (hex, reversed, character by character with other text between): a worker
 * that wants to leak a secret it can read can always encode it some other way.
 * @example
 * redactKnown('a secret-value-1234\nb', ['secret-value-1234']) // 'a [redacted]\nb'
 */
export function redactKnown(text: string, known: readonly string[]): string {
  const forms = formsOf(known);
  if (forms.whole.length === 0) return text;
  // Search the text without its whitespace; `at` maps each kept character back to its index in `text`.
  const at: number[] = [];
  let bare = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (WHITESPACE.test(ch)) continue;
    at.push(i);
    bare += ch;
  }
  const hit = new Uint8Array(bare.length);
  const mark = (from: number, length: number) => hit.fill(1, from, from + length);
  for (const form of forms.whole) {
    for (let i = bare.indexOf(form); i !== -1; i = bare.indexOf(form, i + 1)) mark(i, form.length);
  }
  if (forms.windows.size > 0) {
    for (let i = 0; i + FRAGMENT_MIN <= bare.length; i++) if (forms.windows.has(bare.slice(i, i + FRAGMENT_MIN))) mark(i, FRAGMENT_MIN);
  }
  let out = '';
  let copied = 0;
  for (let i = 0; i < bare.length; i++) {
    if (hit[i] !== 1 || (i > 0 && hit[i - 1] === 1)) continue;
    let end = i;
    while (end + 1 < bare.length && hit[end + 1] === 1) end++;
    const start = at[i] ?? 0;
    out += text.slice(copied, start) + REDACTED;
    copied = (at[end] ?? start) + 1;
  }
  return copied === 0 && out === '' ? text : out + text.slice(copied);
}
