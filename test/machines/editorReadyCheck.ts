// Checks that a chart is "editor-ready": what the Stately editor can import
// from code and draw. Two views of the same rule:
// - the runtime config (machine.config): no function values except the data
//   mappers xstate needs functions for (root `context`, invoke `input`); every
//   action, guard, actor and delay is named and declared in setup;
// - the source text (TypeScript compiler API): one `setup({...})` whose result
//   `.createMachine({...})` is called with an object literal holding only
//   literals (functions or identifiers only at the data-mapper positions).
import ts from 'typescript';

export interface DeclaredNames {
  readonly actions: readonly string[];
  readonly guards: readonly string[];
  readonly actors: readonly string[];
  readonly delays: readonly string[];
}

type Path = readonly (string | number)[];
const show = (path: Path): string => (path.length === 0 ? '(root)' : path.join('.'));

/**
 * Positions where xstate needs a function and no name can stand in: the root
 * `context` factory (it reads `input`) and an invoke's `input` mapper.
 */
export function isDataMapperPosition(path: Path): boolean {
  if (path.length === 1 && path[0] === 'context') return true;
  const n = path.length;
  if (path[n - 1] !== 'input') return false;
  if (path[n - 2] === 'invoke') return path[n - 3] !== 'states';
  return typeof path[n - 2] === 'number' && path[n - 3] === 'invoke' && path[n - 4] !== 'states';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const toArr = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function findFunctions(value: unknown, path: Path, out: string[]): void {
  if (typeof value === 'function') {
    if (!isDataMapperPosition(path)) out.push(`${show(path)}: function value (inline implementation); name it in setup and reference it by string`);
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => findFunctions(v, [...path, i], out));
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) findFunctions(v, [...path, k], out);
}

function checkRef(kind: 'action' | 'guard', ref: unknown, declared: readonly string[], path: Path, out: string[]): void {
  const name = typeof ref === 'string' ? ref : isObj(ref) && typeof ref['type'] === 'string' ? ref['type'] : null;
  if (name === null) {
    if (typeof ref !== 'function') out.push(`${show(path)}: ${kind} is neither a name nor { type, params }`);
    return; // functions are reported by findFunctions
  }
  if (!declared.includes(name)) out.push(`${show(path)}: ${kind} "${name}" is not declared in setup`);
}

function checkTransitions(value: unknown, path: Path, names: DeclaredNames, out: string[]): void {
  toArr(value).forEach((t, i) => {
    const at = Array.isArray(value) ? [...path, i] : path;
    if (!isObj(t)) return; // a target string
    if (t['guard'] !== undefined) checkRef('guard', t['guard'], names.guards, [...at, 'guard'], out);
    toArr(t['actions']).forEach((a, j) => checkRef('action', a, names.actions, [...at, 'actions', j], out));
  });
}

function checkState(config: Record<string, unknown>, path: Path, names: DeclaredNames, out: string[]): void {
  for (const key of ['entry', 'exit'] as const) toArr(config[key]).forEach((a, j) => checkRef('action', a, names.actions, [...path, key, j], out));
  if (isObj(config['on'])) for (const [event, t] of Object.entries(config['on'])) checkTransitions(t, [...path, 'on', event], names, out);
  for (const key of ['always', 'onDone'] as const) if (config[key] !== undefined) checkTransitions(config[key], [...path, key], names, out);
  if (isObj(config['after'])) {
    for (const [delay, t] of Object.entries(config['after'])) {
      if (Number.isNaN(Number(delay)) && !names.delays.includes(delay)) out.push(`${show([...path, 'after', delay])}: delay "${delay}" is not declared in setup`);
      checkTransitions(t, [...path, 'after', delay], names, out);
    }
  }
  toArr(config['invoke']).forEach((inv, i) => {
    const at = Array.isArray(config['invoke']) ? [...path, 'invoke', i] : [...path, 'invoke'];
    if (!isObj(inv)) return;
    const src = inv['src'];
    if (typeof src !== 'string') {
      if (typeof src !== 'function') out.push(`${show([...at, 'src'])}: actor source is not a name`);
    } else if (!names.actors.includes(src)) {
      out.push(`${show([...at, 'src'])}: actor "${src}" is not declared in setup`);
    }
    for (const key of ['onDone', 'onError', 'onSnapshot'] as const) if (inv[key] !== undefined) checkTransitions(inv[key], [...at, key], names, out);
  });
  if (isObj(config['states'])) {
    for (const [key, child] of Object.entries(config['states'])) if (isObj(child)) checkState(child, [...path, 'states', key], names, out);
  }
}

/** Problems with a machine's runtime config; empty when editor-ready. */
export function checkChartConfig(config: unknown, names: DeclaredNames): string[] {
  const out: string[] = [];
  if (!isObj(config)) return ['the config is not an object'];
  findFunctions(config, [], out);
  checkState(config, [], names, out);
  return out;
}

// --- source ----------------------------------------------------------------------

function propertyName(name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return null;
}

function checkLiteral(node: ts.Expression, path: Path, sf: ts.SourceFile, out: string[]): void {
  const where = () => `${show(path)} (line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1})`;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
    checkLiteral(node.expression, path, sf, out);
    return;
  }
  if (ts.isObjectLiteralExpression(node)) {
    for (const prop of node.properties) {
      if (!ts.isPropertyAssignment(prop)) {
        out.push(`${where()}: ${ts.SyntaxKind[prop.kind]} in the config (only key: value pairs can be read without running the code)`);
        continue;
      }
      const key = propertyName(prop.name);
      if (key === null) out.push(`${where()}: computed key in the config`);
      else checkLiteral(prop.initializer, [...path, key], sf, out);
    }
    return;
  }
  if (ts.isArrayLiteralExpression(node)) {
    node.elements.forEach((el, i) => checkLiteral(el, [...path, i], sf, out));
    return;
  }
  if (
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isNumericLiteral(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand))
  ) {
    return;
  }
  const mapper = ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isIdentifier(node);
  if (mapper && isDataMapperPosition(path)) return;
  out.push(`${where()}: ${ts.SyntaxKind[node.kind]} is not a literal${mapper ? ' (functions are allowed only as the root context and invoke input mappers)' : ''}`);
}

function isSetupCall(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'setup';
}

function isCreateMachineCall(node: ts.Node): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'createMachine';
}

export interface SourceCheck {
  readonly problems: string[];
  /** Name of the exported const holding the chart. */
  readonly exportName: string | null;
  /** The keys setup declares, per kind, as written in the source. */
  readonly declared: Partial<Record<keyof DeclaredNames, string[]>>;
}

/** Problems with a machine file's source text; empty when editor-ready. */
export function checkMachineSource(text: string, fileName = 'machine.ts'): SourceCheck {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  const setups: ts.CallExpression[] = [];
  const creates: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (isSetupCall(node)) setups.push(node);
    if (isCreateMachineCall(node) || (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'createMachine')) creates.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const declared: Partial<Record<keyof DeclaredNames, string[]>> = {};
  if (setups.length !== 1) problems.push(`expected exactly one setup(...) call, found ${setups.length}`);
  if (creates.length !== 1) problems.push(`expected exactly one createMachine(...) call, found ${creates.length}`);
  const create = creates[0];
  const setupCall = setups[0];
  let exportName: string | null = null;
  if (create !== undefined) {
    const callee = create.expression;
    if (!(ts.isPropertyAccessExpression(callee) && callee.expression === setupCall)) problems.push('createMachine is not called on the result of setup(...)');
    const [config, ...extra] = create.arguments;
    if (config === undefined || extra.length > 0 || !ts.isObjectLiteralExpression(config)) problems.push('createMachine must get exactly one argument, an object literal');
    else checkLiteral(config, [], sf, problems);
    const decl = create.parent;
    if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
      const statement = decl.parent.parent;
      const exported = ts.isVariableStatement(statement) && (statement.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (exported) exportName = decl.name.text;
    }
    if (exportName === null) problems.push('the chart is not the initializer of an exported const');
  }
  if (setupCall !== undefined) {
    const [impl] = setupCall.arguments;
    if (impl === undefined || !ts.isObjectLiteralExpression(impl)) {
      problems.push('setup must get an object literal');
    } else {
      for (const prop of impl.properties) {
        if (!ts.isPropertyAssignment(prop)) continue;
        const kind = propertyName(prop.name);
        if (kind !== 'actions' && kind !== 'guards' && kind !== 'actors' && kind !== 'delays') continue;
        if (!ts.isObjectLiteralExpression(prop.initializer)) {
          problems.push(`setup.${kind} is not an object literal`);
          continue;
        }
        declared[kind] = prop.initializer.properties.map((p) => {
          const key = p.name !== undefined && !ts.isPrivateIdentifier(p.name) ? propertyName(p.name) : null;
          if (key === null || ts.isSpreadAssignment(p)) problems.push(`setup.${kind}: an entry without a static name`);
          return key ?? '';
        });
      }
    }
  }
  return { problems, exportName, declared };
}
