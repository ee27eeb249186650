// Bounded views of worker output: never read a whole log into memory.
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '../platform/regularFile.js';

/**
 * The last `maxBytes` bytes of a file as display text: invalid UTF-8 replaced,
 * NULs, ANSI escapes and other control characters (but tab and newline)
 * removed. The result is at most `maxBytes` bytes of UTF-8. A missing file, and anything
 * but a regular file (a symbolic link is not followed, a FIFO not waited on), is ''.
 *
 * @example
 * tail(paths.stderr, 4096) // the end of what the worker printed on stderr
 */
export function tail(file: string, maxBytes: number): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`tail: maxBytes must be a non-negative integer, got ${maxBytes}`);
  // The worker may have replaced its log (sandbox: none): a link or a FIFO shows nothing rather than another file or a hang.
  const opened = openRegularFile(file);
  if (opened.kind !== 'open') return '';
  const { fd, size } = opened;
  let bytes: Buffer;
  try {
    const length = Math.min(size, maxBytes);
    bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, bytes, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    bytes = bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
  // The cut may fall inside a character: drop its continuation bytes rather than show a replacement.
  let start = 0;
  while (start < Math.min(3, bytes.length) && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return fitBytes(sanitizeForDisplay(new TextDecoder('utf-8').decode(bytes.subarray(start))), maxBytes);
}

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes.
// eslint-disable-next-line no-control-regex -- escape sequences are what is removed
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text safe to show in a terminal or a report: ANSI escapes, NULs and control characters (but tab and newline) removed. */
export function sanitizeForDisplay(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI, '').replace(CONTROL, '');
}

/** Drop characters from the start until the UTF-8 length is at most maxBytes (replacement characters are 3 bytes). */
function fitBytes(text: string, maxBytes: number): string {
  let excess = Buffer.byteLength(text, 'utf8') - maxBytes;
  if (excess <= 0) return text;
  let cut = 0;
  for (const char of text) {
    if (excess <= 0) break;
    excess -= Buffer.byteLength(char, 'utf8');
    cut += char.length;
  }
  return text.slice(cut);
}
