// Pure: which dependencies a change adds, read from the manifests it touches
// (npm's package.json, pip's requirements files, Pipfile, pyproject.toml,
// go.mod, Cargo.toml, composer.json, Gemfile). A name counts as added when the manifest after the change
// declares it and the manifest before did not; a changed version of a name
// already there is not an addition. Fail closed: a manifest that does not
// parse after the change is reported as unreadable, and the approval gate
// that asks about dependencies then applies.
import { parse as parseToml } from 'smol-toml';
import type { AddedDependencies } from '../../machines/run.types.js';

export type ManifestKind = 'npm' | 'pip' | 'pipfile' | 'go' | 'cargo' | 'pyproject' | 'composer' | 'gemfile';

type Names = { ok: true; names: Set<string> } | { ok: false; reason: string };

/** The manifest kind of a repository path, by its file name; null for any other file. */
export function manifestKind(path: string): ManifestKind | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'package.json') return 'npm';
  if (name === 'go.mod') return 'go';
  if (name === 'Cargo.toml') return 'cargo';
  if (name === 'pyproject.toml') return 'pyproject';
  if (name === 'Pipfile') return 'pipfile';
  if (name === 'composer.json') return 'composer';
  if (name === 'Gemfile' || name === 'gems.rb') return 'gemfile';
  // requirements.txt, requirements-dev.txt, requirements.in (pip-tools), and any .txt/.in under a requirements/ folder.
  if (/^requirements[\w.-]*\.(txt|in)$/.test(name) || /(^|\/)requirements\/[^/]+\.(txt|in)$/.test(path)) return 'pip';
  return null;
}

const NPM_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The keys of the named object sections of a JSON manifest (package.json, composer.json). */
function jsonSectionNames(text: string, sections: readonly string[], normalise: (name: string) => string = (name) => name): Names {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `does not parse as JSON (${(error as Error).message})` };
  }
  if (!isTable(doc)) return { ok: false, reason: 'is not a JSON object' };
  const names = new Set<string>();
  for (const section of sections) {
    const value = doc[section];
    if (value === undefined) continue;
    if (!isTable(value)) return { ok: false, reason: `has a ${section} that is not an object` };
    for (const name of Object.keys(value)) names.add(normalise(name));
  }
  return { ok: true, names };
}

const npmNames = (text: string): Names => jsonSectionNames(text, NPM_SECTIONS);

/** A Python requirement's project name, normalised as pip compares them (PEP 503); an option line is kept whole. */
function pipName(line: string): string {
  if (line.startsWith('-')) return line.replace(/\s+/g, ' ');
  const match = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(line);
  return match === null ? line : match[0].toLowerCase().replace(/[-_.]+/g, '-');
}

function pipNames(text: string): Names {
  const names = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line !== '') names.add(pipName(line));
  }
  return { ok: true, names };
}

function goNames(text: string): Names {
  const names = new Set<string>();
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line !== '') names.add(line.split(/\s+/)[0] ?? line);
      continue;
    }
    if (/^require\s*\($/.test(line)) inBlock = true;
    else if (line.startsWith('require ')) names.add(line.slice('require '.length).trim().split(/\s+/)[0] ?? line);
  }
  return { ok: true, names };
}

function tomlDoc(text: string): { ok: true; doc: Record<string, unknown> } | { ok: false; reason: string } {
  try {
    return { ok: true, doc: parseToml(text) };
  } catch (error) {
    return { ok: false, reason: `does not parse as TOML (${(error as Error).message.split('\n')[0] ?? 'invalid'})` };
  }
}

const tableKeys = (value: unknown): string[] => (isTable(value) ? Object.keys(value) : []);

function cargoNames(text: string): Names {
  const parsed = tomlDoc(text);
  if (!parsed.ok) return parsed;
  const { doc } = parsed;
  const names = new Set<string>();
  const addFrom = (table: unknown) => {
    for (const section of ['dependencies', 'dev-dependencies', 'build-dependencies']) for (const name of tableKeys(isTable(table) ? table[section] : undefined)) names.add(name);
  };
  addFrom(doc);
  for (const target of Object.values(isTable(doc['target']) ? doc['target'] : {})) addFrom(target);
  for (const name of tableKeys(isTable(doc['workspace']) ? doc['workspace']['dependencies'] : undefined)) names.add(name);
  return { ok: true, names };
}

function pyprojectNames(text: string): Names {
  const parsed = tomlDoc(text);
  if (!parsed.ok) return parsed;
  const { doc } = parsed;
  const names = new Set<string>();
  const addRequirements = (value: unknown) => {
    if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') names.add(pipName(item.trim()));
  };
  const project = isTable(doc['project']) ? doc['project'] : {};
  addRequirements(project['dependencies']);
  for (const group of Object.values(isTable(project['optional-dependencies']) ? project['optional-dependencies'] : {})) addRequirements(group);
  for (const group of Object.values(isTable(doc['dependency-groups']) ? doc['dependency-groups'] : {})) addRequirements(group);
  const tool = isTable(doc['tool']) ? doc['tool'] : {};
  const poetry = isTable(tool['poetry']) ? tool['poetry'] : {};
  for (const name of [...tableKeys(poetry['dependencies']), ...tableKeys(poetry['dev-dependencies'])]) names.add(pipName(name));
  for (const group of Object.values(isTable(poetry['group']) ? poetry['group'] : {})) for (const name of tableKeys(isTable(group) ? group['dependencies'] : undefined)) names.add(pipName(name));
  return { ok: true, names };
}

function pipfileNames(text: string): Names {
  const parsed = tomlDoc(text);
  if (!parsed.ok) return parsed;
  return { ok: true, names: new Set([...tableKeys(parsed.doc['packages']), ...tableKeys(parsed.doc['dev-packages'])].map(pipName)) };
}

/** composer.json: package names compare without case. */
const composerNames = (text: string): Names => jsonSectionNames(text, ['require', 'require-dev'], (name) => name.toLowerCase());

/** Gemfile: every `gem "name"` line (Ruby is not evaluated; a gem added by code rather than a gem line is not seen). */
function gemfileNames(text: string): Names {
  const names = new Set<string>();
  for (const match of text.matchAll(/^\s*gem\s*\(?\s*["']([^"']+)["']/gm)) if (match[1] !== undefined) names.add(match[1]);
  return { ok: true, names };
}

const READERS: Readonly<Record<ManifestKind, (text: string) => Names>> = {
  npm: npmNames,
  pip: pipNames,
  pipfile: pipfileNames,
  go: goNames,
  cargo: cargoNames,
  pyproject: pyprojectNames,
  composer: composerNames,
  gemfile: gemfileNames,
};

/**
 * The dependencies a change to one manifest adds. `before`/`after` are the file's content at the fork point and at the
 * change (null where the file does not exist). A manifest before the change that does not parse counts as declaring
 * nothing (every name after it is new); one after the change that does not parse is unreadable.
 * @example
 * addedDependencies('package.json', '{"dependencies":{"a":"1"}}', '{"dependencies":{"a":"2","b":"1"}}');
 * // → { manifest: 'package.json', added: ['b'], unreadable: null }
 */
export function addedDependencies(path: string, before: string | null, after: string | null): AddedDependencies | null {
  const kind = manifestKind(path);
  if (kind === null || after === null) return null;
  const read = READERS[kind];
  const now = read(after);
  if (!now.ok) return { manifest: path, added: [], unreadable: `${path} ${now.reason}` };
  const was = before === null ? null : read(before);
  const known = was !== null && was.ok ? was.names : new Set<string>();
  const added = [...now.names].filter((name) => !known.has(name)).sort();
  return added.length === 0 ? null : { manifest: path, added, unreadable: null };
}
