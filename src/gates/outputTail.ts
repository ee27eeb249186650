import { redactSecrets } from '../domain/redact.js';

/**
 * Keeps only the last `limit` bytes of a stream, however long it runs: memory
 * stays within about twice the limit.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Uint8Array | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    this.total += buffer.byteLength;
    this.chunks.push(buffer.byteLength > this.limit ? Buffer.from(buffer.subarray(buffer.byteLength - this.limit)) : buffer);
    this.size += Math.min(buffer.byteLength, this.limit);
    if (this.size > 2 * this.limit) this.compact();
  }

  /** Bytes seen in total, including those dropped. */
  get totalBytes(): number {
    return this.total;
  }

  /** The kept tail as clean text with secrets redacted (chunks joined first, so a split token is caught): at most `limit` bytes. */
  text(): string {
    this.compact();
    return redactSecrets(cleanText(Buffer.concat(this.chunks)), { truncatedStart: this.total > this.size });
  }

  private compact(): void {
    const joined = Buffer.concat(this.chunks);
    const kept = joined.byteLength > this.limit ? Buffer.from(joined.subarray(joined.byteLength - this.limit)) : joined;
    this.chunks = [kept];
    this.size = kept.byteLength;
  }
}

// eslint-disable-next-line no-control-regex -- ANSI escapes are control sequences by definition
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex -- NUL and other C0 controls except tab and newline are dropped
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Decodes bytes as UTF-8 for evidence: a character cut at the start of the
 * tail is dropped, ANSI escapes and control characters (NUL included) are
 * removed, and carriage returns become newlines.
 */
export function cleanText(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('utf8')
    .replace(/^\ufffd{1,3}/, '')
    .replace(ANSI, '')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '');
}

/** The last `count` lines of a text (trailing newlines dropped). */
export function lastLines(text: string, count: number): string {
  return text.replace(/\n+$/, '').split('\n').slice(-count).join('\n');
}
