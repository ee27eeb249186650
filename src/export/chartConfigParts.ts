// Pure helpers of describeChart: reading the loose values of a machine config
// (actions, guards, params, state paths) into the description's shapes.
import type { ActionDescription, GuardDescription, JsonObject, JsonValue } from './chartDescription.js';

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toArr(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export const joinPath = (path: readonly string[]): string => path.join('.');

/** Split a state path on `.`, honouring `\.` escapes (as xstate does). */
export function toStatePath(text: string): string[] {
  const out: string[] = [];
  let segment = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      segment += text[i + 1] ?? '';
      i++;
    } else if (ch === '.') {
      out.push(segment);
      segment = '';
    } else {
      segment += ch;
    }
  }
  out.push(segment);
  return out;
}

export function jsonSafe(value: unknown, seen: Set<unknown> = new Set()): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return null;
  if (typeof value === 'function') return '<function>';
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => jsonSafe(v, seen));
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value as Obj)) {
      if (v !== undefined) out[k] = jsonSafe(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

export function formatValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function paramsLabel(name: string, params: JsonObject | null, dynamic: boolean): string {
  if (dynamic) return `${name}(<dynamic>)`;
  if (params === null) return name;
  return `${name}(${Object.entries(params)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ')})`;
}

export function describeAction(action: unknown): ActionDescription {
  if (typeof action === 'string') return { name: action, params: null, label: action };
  if (typeof action === 'function') {
    const type = (action as { type?: unknown }).type;
    const name = typeof type === 'string' ? type : 'inline';
    return { name, params: null, label: name };
  }
  if (isObj(action) && typeof action['type'] === 'string') {
    const name = action['type'];
    const raw = action['params'];
    const dynamic = typeof raw === 'function';
    const params = isObj(raw) ? (jsonSafe(raw) as JsonObject) : null;
    return { name, params, label: paramsLabel(name, params, dynamic) };
  }
  return { name: 'inline', params: null, label: 'inline' };
}

export function describeGuard(guard: unknown): GuardDescription | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return { name: guard, params: null, guards: [], label: guard };
  if (typeof guard === 'function') {
    const fn = guard as { name?: unknown; guards?: unknown; stateValue?: unknown };
    if (Array.isArray(fn.guards) && (fn.name === 'and' || fn.name === 'or' || fn.name === 'not')) {
      const guards = (fn.guards as unknown[]).map((g) => describeGuard(g) ?? { name: 'inline', params: null, guards: [], label: 'inline' });
      return { name: fn.name, params: null, guards, label: `${fn.name}(${guards.map((g) => g.label).join(', ')})` };
    }
    if ('stateValue' in fn) {
      const params = { state: jsonSafe(fn.stateValue) };
      return { name: 'stateIn', params, guards: [], label: `stateIn(${formatValue(params.state)})` };
    }
    return { name: 'inline', params: null, guards: [], label: 'inline' };
  }
  if (isObj(guard) && typeof guard['type'] === 'string') {
    const name = guard['type'];
    const raw = guard['params'];
    const dynamic = typeof raw === 'function';
    const params = isObj(raw) ? (jsonSafe(raw) as JsonObject) : null;
    return { name, params, guards: [], label: paramsLabel(name, params, dynamic) };
  }
  return { name: 'inline', params: null, guards: [], label: 'inline' };
}
