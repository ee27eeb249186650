// The modules a source file loads before any of its code runs: its static
// imports, followed through src/ and machines/ (type-only imports and
// dynamic import() are not loads). Packages are named, not followed.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** Source files reached, relative to the repository root. */
  readonly files: Set<string>;
  /** Packages imported by those files (`zod`, `xstate`, `node:fs`, ...). */
  readonly packages: Set<string>;
}

function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    }
  }
  return found;
}

/** The static import graph from `entry` (a .ts file under the repository). */
export function importGraph(entry: string, root = process.cwd()): ImportGraph {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    const key = relative(root, file);
    if (files.has(key)) return;
    files.add(key);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0] ?? spec);
    }
  };
  visit(resolve(root, entry));
  return { files, packages };
}
