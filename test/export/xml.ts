// A small, strict XML reader for our own SCXML output (no XML library is a
// dependency): elements, double- or single-quoted attributes, the five
// predefined entities and numeric character references, comments, the XML
// declaration. Throws on anything malformed (unbalanced tags, duplicate
// attributes, stray `<` or `&`, undeclared namespace prefixes).

export interface XmlElement {
  /** Qualified name as written (`state`, `buran:action`). */
  readonly name: string;
  /** Namespace URI resolved from xmlns declarations in scope. */
  readonly ns: string | null;
  readonly local: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
}

function decode(text: string, at: number): string {
  return text.replace(/&([^;]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new Error(`xml: bare & at ${at}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (body in named) return named[body] ?? '';
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (num?.[1] !== undefined) return String.fromCodePoint(num[1].startsWith('x') ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10));
    throw new Error(`xml: unknown entity &${body}; at ${at}`);
  });
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?/;

/** Parse a document into its root element. */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: { el: XmlElement; scope: Map<string, string> }[] = [];
  let root: XmlElement | null = null;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end === -1) throw new Error('xml: unterminated declaration');
    i = end + 2;
  }
  while (i < text.length) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1 || text.slice(i + 4, end).includes('--')) throw new Error(`xml: bad comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (text.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(text.slice(i));
      if (m === null) throw new Error(`xml: bad end tag at ${i}`);
      i += m[0].length;
      skipSpace();
      if (text[i] !== '>') throw new Error(`xml: bad end tag at ${i}`);
      i++;
      const open = stack.pop();
      if (open?.el.name !== m[0]) throw new Error(`xml: </${m[0]}> closes <${open?.el.name ?? '(nothing)'}>`);
      continue;
    }
    if (text[i] === '<') {
      i++;
      const m = NAME.exec(text.slice(i));
      if (m === null) throw new Error(`xml: bad start tag at ${i}`);
      const name = m[0];
      i += name.length;
      const raw = new Map<string, string>();
      for (;;) {
        skipSpace();
        if (text.startsWith('/>', i) || text[i] === '>') break;
        const a = NAME.exec(text.slice(i));
        if (a === null) throw new Error(`xml: bad attribute at ${i}`);
        i += a[0].length;
        skipSpace();
        if (text[i] !== '=') throw new Error(`xml: attribute ${a[0]} without value at ${i}`);
        i++;
        skipSpace();
        const quote = text[i];
        if (quote !== '"' && quote !== "'") throw new Error(`xml: unquoted attribute ${a[0]} at ${i}`);
        const end = text.indexOf(quote, i + 1);
        if (end === -1) throw new Error('xml: unterminated attribute');
        const value = text.slice(i + 1, end);
        if (value.includes('<')) throw new Error(`xml: < in attribute ${a[0]}`);
        if (raw.has(a[0])) throw new Error(`xml: duplicate attribute ${a[0]} on <${name}>`);
        raw.set(a[0], decode(value, i));
        i = end + 1;
      }
      const selfClosing = text.startsWith('/>', i);
      i += selfClosing ? 2 : 1;
      const scope = new Map(stack.at(-1)?.scope ?? []);
      for (const [k, v] of raw) {
        if (k === 'xmlns') scope.set('', v);
        else if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
      }
      const [prefix, local] = name.includes(':') ? (name.split(':') as [string, string]) : ['', name];
      if (prefix !== '' && !scope.has(prefix)) throw new Error(`xml: undeclared prefix ${prefix}: on <${name}>`);
      for (const k of raw.keys()) {
        const p = k.includes(':') ? (k.split(':')[0] ?? '') : '';
        if (p !== '' && p !== 'xmlns' && !scope.has(p)) throw new Error(`xml: undeclared prefix ${p}: on attribute ${k}`);
      }
      const el: XmlElement = { name, ns: scope.get(prefix) ?? null, local, attrs: raw, children: [] };
      const parent = stack.at(-1);
      if (parent !== undefined) parent.el.children.push(el);
      else if (root !== null) throw new Error('xml: more than one root element');
      else root = el;
      if (!selfClosing) stack.push({ el, scope });
      continue;
    }
    const next = text.indexOf('<', i);
    const chunk = text.slice(i, next === -1 ? text.length : next);
    if (chunk.trim() !== '' && (stack.length === 0 || decode(chunk, i).trim() !== '')) throw new Error(`xml: unexpected text "${chunk.trim().slice(0, 30)}" at ${i}`);
    i = next === -1 ? text.length : next;
  }
  if (stack.length > 0) throw new Error(`xml: <${stack.at(-1)?.el.name ?? ''}> is not closed`);
  if (root === null) throw new Error('xml: no root element');
  return root;
}
