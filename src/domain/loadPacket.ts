import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CST, LineCounter, Parser, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { type PacketCheck, checkPacket } from './checkPacket.js';
import { packetHash } from './hash.js';
import { errnoCode } from '../platform/errno.js';
import type { Packet } from './packet.js';
import { MAX_INPUT_DEPTH, type Problem, ROOT_PATH, formatPath } from './problems.js';

/** Largest packet file accepted, in bytes (1 MiB): far above any real packet, far below trouble. */
export const MAX_PACKET_BYTES = 1024 * 1024;

/** Aliases a YAML packet may expand (yaml's maxAliasCount); bounds "billion laughs" expansion. */
export const MAX_YAML_ALIASES = 50;

/** Syntax problems reported from one file; the rest are counted, not listed. */
const MAX_SYNTAX_PROBLEMS = 20;

export interface LoadedPacket {
  readonly packet: Packet | null;
  readonly problems: Problem[];
  /** The approval hash (`packetHash`), or null when the packet has problems. */
  readonly hash: string | null;
  /** The absolute path that was read. */
  readonly file: string;
}

/**
 * Parses packet text and checks it. JSON when the name ends in `.json` or the
 * text starts with `{`, otherwise YAML. Syntax errors become problems at
 * `(root)` and duplicate keys at the repeated field, both with line and
 * column; nothing throws.
 * @example
 * const { packet, problems, hash } = parsePacketText(yamlText, 'packet.yaml');
 */
export function parsePacketText(text: string, sourceName: string): PacketCheck {
  if (Buffer.byteLength(text, 'utf8') > MAX_PACKET_BYTES) return failed('too_large', `larger than ${MAX_PACKET_BYTES} bytes`);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return failed('parse_error', 'the file is empty');
  const parsed = sourceName.toLowerCase().endsWith('.json') || body.trimStart().startsWith('{') ? parseJson(body) : parseYaml(body);
  return 'problems' in parsed ? { packet: null, problems: parsed.problems } : checkPacket(parsed.value);
}

/**
 * Reads, parses and checks a packet file; the I/O edge of `checkPacket`.
 * A missing, unreadable or oversized file is a problem, not a throw.
 *
 * @example
 * const { packet, problems, hash } = await loadPacket('work/packet.yaml');
 */
export async function loadPacket(file: string): Promise<LoadedPacket> {
  const path = resolve(file);
  const result = (check: PacketCheck): LoadedPacket => ({ ...check, hash: check.packet === null ? null : packetHash(check.packet), file: path });
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) return result(failed('unreadable', `not a regular file: ${path}`));
    if (info.size > MAX_PACKET_BYTES) return result(failed('too_large', `${info.size} bytes is larger than the ${MAX_PACKET_BYTES}-byte limit: ${path}`));
    bytes = await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return result(failed('not_found', `packet file not found: ${path}`));
    return result(failed('unreadable', `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    return result(failed('invalid_encoding', `not valid UTF-8 (${error instanceof Error ? error.message : String(error)}): ${path}`));
  }
  return result(parsePacketText(text, path));
}

type Parsed = { value: unknown } | { problems: Problem[] };

function failed(code: string, message: string): PacketCheck {
  return { packet: null, problems: [{ path: ROOT_PATH, code, message }] };
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function parseJson(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const where = lineColumn(text, jsonErrorOffset(text, message));
    // V8 appends a source excerpt to "Unexpected token" (the line and column say where instead).
    const short = /^Unexpected token '.*?'(?=,)/.exec(message)?.[0] ?? message.replace(/ in JSON at position \d+.*$/s, '');
    return { problems: [{ path: ROOT_PATH, code: 'parse_error', message: `invalid JSON: ${short} (${where})` }] };
  }
  const problems = scanJson(text);
  return problems.length > 0 ? { problems: capped(problems, (problem) => problem) } : { value };
}

/** Whether JSON.parse fails on `prefix` only because it ends too soon. */
function jsonPrefixViable(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const at = /at position (\d+)/.exec(message)?.[1];
    return /end of JSON input/.test(message) || (at !== undefined && Number(at) >= prefix.length);
  }
}

/**
 * Offset of a JSON syntax error. V8 gives a position for most errors; for
 * "Unexpected token" it does not, so binary-search the shortest prefix that
 * fails for a reason other than ending early (about 20 parses of a 1 MiB file at most).
 */
function jsonErrorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message)?.[1];
  if (at !== undefined) return Number(at);
  if (/end of JSON input/.test(message)) return text.length;
  let viable = 0;
  let failing = text.length;
  while (failing - viable > 1) {
    const mid = Math.floor((viable + failing) / 2);
    if (jsonPrefixViable(text.slice(0, mid))) viable = mid;
    else failing = mid;
  }
  return failing - 1;
}

interface Frame {
  readonly path: PropertyKey[];
  readonly keys: Set<string> | null;
  index: number;
  key: string | null;
  expectKey: boolean;
}

/**
 * Keys repeated within one object of already-valid JSON (JSON.parse keeps the
 * last silently), and nesting deeper than any packet. One linear pass with an
 * explicit stack, so hostile nesting costs neither stack nor quadratic time.
 */
function scanJson(text: string): Problem[] {
  const problems: Problem[] = [];
  const stack: Frame[] = [];
  // Valid JSON has newlines only between tokens, never inside a string.
  let line = 1;
  let lineStart = 0;
  const where = (i: number): string => `line ${line}, column ${i - lineStart + 1}`;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const top = stack.at(-1);
    if (ch === '\n') {
      line += 1;
      lineStart = i + 1;
    } else if (ch === '{' || ch === '[') {
      const path = top === undefined ? [] : [...top.path, top.keys === null ? top.index : (top.key ?? '')];
      if (stack.length >= MAX_INPUT_DEPTH) {
        return [{ path: formatPath(path), code: 'too_deep', message: `nested deeper than ${MAX_INPUT_DEPTH} levels (${where(i)})` }];
      }
      const isObject = ch === '{';
      stack.push({ path, keys: isObject ? new Set() : null, index: 0, key: null, expectKey: isObject });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',' && top !== undefined) {
      top.index += 1;
      top.expectKey = top.keys !== null;
    } else if (ch === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.keys != null && top.expectKey) {
        const key = String(JSON.parse(text.slice(i, end + 1)));
        if (top.keys.has(key)) {
          problems.push({
            path: formatPath([...top.path, key]),
            code: 'duplicate_key',
            message: `key appears more than once in its object (${where(i)}); JSON readers disagree on which value wins`,
          });
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    }
  }
  return problems;
}

/** Problems for the first MAX_SYNTAX_PROBLEMS items only (each may cost a walk of the file), and a count of the rest. */
function capped<T>(items: readonly T[], toProblem: (item: T) => Problem): Problem[] {
  const listed = items.slice(0, MAX_SYNTAX_PROBLEMS).map(toProblem);
  const more = items.length - listed.length;
  return more > 0 ? [...listed, { path: ROOT_PATH, code: 'too_many_problems', message: `${more} more syntax problems not listed` }] : listed;
}

/**
 * Nesting depth of YAML from yaml's concrete syntax tree. yaml's parser keeps
 * an explicit stack, but its composer recurses, and very deep input can exhaust
 * the call stack (or crash V8 outright), so depth is measured before composing.
 */
function yamlTooDeep(text: string): Problem | null {
  const lineCounter = new LineCounter();
  for (const token of new Parser(lineCounter.addNewLine).parse(text)) {
    const pending: { node: CST.Token | null | undefined; depth: number }[] = [{ node: token, depth: 0 }];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const { node, depth } = next;
      if (node?.type === 'document') pending.push({ node: node.value, depth });
      if (!CST.isCollection(node)) continue;
      if (depth >= MAX_INPUT_DEPTH) {
        const { line, col } = lineCounter.linePos(node.offset);
        return { path: ROOT_PATH, code: 'too_deep', message: `nested deeper than ${MAX_INPUT_DEPTH} levels (line ${line}, column ${col})` };
      }
      for (const item of node.items) {
        pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      }
    }
  }
  return null;
}

function parseYaml(text: string): Parsed {
  try {
    return parseYamlDocument(text);
  } catch (error) {
    // yaml throws a ReferenceError when alias expansion exceeds maxAliasCount;
    // anything else it throws is reported the same way rather than escaping.
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [{ path: ROOT_PATH, code: 'parse_error', message: `invalid YAML: ${message}` }] };
  }
}

function parseYamlDocument(text: string): Parsed {
  const tooDeep = yamlTooDeep(text);
  if (tooDeep !== null) return { problems: [tooDeep] };
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check is quadratic in the size of a map; yamlKeyProblems is linear.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const issues = [...doc.errors, ...doc.warnings];
  const toProblem = (issue: (typeof issues)[number]): Problem => {
    const { line, col } = lineCounter.linePos(issue.pos[0]);
    return { path: ROOT_PATH, code: 'parse_error', message: `invalid YAML: ${issue.message} (line ${line}, column ${col})` };
  };
  if (issues.length > 0) return { problems: capped(issues, toProblem) };
  const keyProblems = yamlKeyProblems(doc.contents, [], lineCounter);
  if (keyProblems.length > 0) return { problems: capped(keyProblems, (problem) => problem) };
  return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
}

/**
 * Map keys that are not plain scalars, or that repeat within one mapping once
 * turned into property names (so `1` and `"1"` clash, as they would in the
 * parsed object). Depth is already bounded by yamlTooDeep.
 */
function yamlKeyProblems(node: unknown, path: PropertyKey[], lineCounter: LineCounter): Problem[] {
  const problems: Problem[] = [];
  const where = (offset: number | undefined): string => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `line ${line}, column ${col}`;
  };
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) {
        problems.push({ path: formatPath(path), code: 'parse_error', message: `invalid YAML: map keys must be plain scalars (${where(isNode(pair.key) ? pair.key.range?.[0] : undefined)})` });
        continue;
      }
      const key = String(pair.key.value);
      if (seen.has(key)) {
        problems.push({ path: formatPath([...path, key]), code: 'duplicate_key', message: `key appears more than once in its mapping (${where(pair.key.range?.[0])})` });
      }
      seen.add(key);
      problems.push(...yamlKeyProblems(pair.value, [...path, key], lineCounter));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => problems.push(...yamlKeyProblems(item, [...path, index], lineCounter)));
  }
  return problems;
}
