import { describe, expect, it } from 'vitest';
import { addedDependencies, manifestKind } from '../../src/gates/addedDependencies.js';

const pkg = (deps: Record<string, Record<string, string>>): string => JSON.stringify({ name: 'x', version: '1.0.0', ...deps });

describe('manifestKind', () => {
  it('knows manifests by file name, at any depth, and nothing else', () => {
    expect(['package.json', 'web/package.json', 'requirements.txt', 'requirements-dev.txt', 'go.mod', 'crates/a/Cargo.toml', 'pyproject.toml'].map(manifestKind)).toEqual([
      'npm',
      'npm',
      'pip',
      'pip',
      'go',
      'cargo',
      'pyproject',
    ]);
    expect(['requirements.in', 'requirements/base.txt', 'svc/requirements/dev.in', 'Pipfile', 'composer.json', 'Gemfile'].map(manifestKind)).toEqual(['pip', 'pip', 'pip', 'pipfile', 'composer', 'gemfile']);
    expect(['package-lock.json', 'src/package.json.bak', 'Cargo.lock', 'Pipfile.lock', 'docs/requirements.md', 'README.md'].map(manifestKind)).toEqual([null, null, null, null, null, null]);
  });
});

describe('addedDependencies', () => {
  it('package.json: a name new in any dependency section is added; a changed version is not', () => {
    const before = pkg({ dependencies: { a: '1.0.0' } });
    const after = pkg({ dependencies: { a: '2.0.0' }, devDependencies: { vitest: '4' }, peerDependencies: { react: '19' } });
    expect(addedDependencies('package.json', before, after)).toEqual({ manifest: 'package.json', added: ['react', 'vitest'], unreadable: null });
    expect(addedDependencies('package.json', before, pkg({ dependencies: { a: '3.0.0' } }))).toBeNull();
    // Moving a name between sections adds nothing new.
    expect(addedDependencies('package.json', before, pkg({ devDependencies: { a: '1.0.0' } }))).toBeNull();
  });

  it('a new manifest adds everything it declares; a deleted one adds nothing', () => {
    expect(addedDependencies('tools/package.json', null, pkg({ dependencies: { left: '1' } }))?.added).toEqual(['left']);
    expect(addedDependencies('package.json', pkg({ dependencies: { a: '1' } }), null)).toBeNull();
  });

  it('fails closed: a manifest that does not parse after the change is unreadable; one that did not parse before declares nothing', () => {
    const broken = addedDependencies('package.json', pkg({}), '{ "dependencies": ');
    expect(broken?.added).toEqual([]);
    expect(broken?.unreadable).toContain('package.json does not parse as JSON');
    expect(addedDependencies('package.json', pkg({}), JSON.stringify({ dependencies: ['a'] }))?.unreadable).toContain('dependencies that is not an object');
    expect(addedDependencies('Cargo.toml', '', '[dependencies\nserde = "1"')?.unreadable).toContain('does not parse as TOML');
    expect(addedDependencies('package.json', 'not json', pkg({ dependencies: { a: '1' } }))?.added).toEqual(['a']);
  });

  it('requirements.txt: names compared as pip compares them; option lines kept whole', () => {
    const before = 'Django==4.2  # web\nrequests>=2\n';
    const after = 'django==5.0\nRequests[socks]>=2\nzope_interface\n-e git+https://example.invalid/x.git#egg=x\n# a comment\n';
    expect(addedDependencies('requirements.txt', before, after)?.added).toEqual(['-e git+https://example.invalid/x.git#egg=x', 'zope-interface']);
  });

  it('go.mod: require lines, single and in blocks', () => {
    const before = 'module m\n\ngo 1.22\n\nrequire golang.org/x/text v0.14.0\n';
    const after = 'module m\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/text v0.15.0\n\tgithub.com/pkg/errors v0.9.1 // indirect\n)\n';
    expect(addedDependencies('go.mod', before, after)?.added).toEqual(['github.com/pkg/errors']);
  });

  it('Cargo.toml: every dependency table, target-specific and workspace ones included', () => {
    const before = '[package]\nname = "x"\n\n[dependencies]\nserde = "1"\n';
    const after = [
      '[package]',
      'name = "x"',
      '[dependencies]',
      'serde = { version = "1", features = [',
      '  "derive",',
      '] }',
      '[dev-dependencies]',
      'proptest = "1"',
      '[target.\'cfg(unix)\'.dependencies]',
      'libc = "0.2"',
      '[dependencies.tokio]',
      'version = "1"',
    ].join('\n');
    expect(addedDependencies('Cargo.toml', before, after)?.added).toEqual(['libc', 'proptest', 'tokio']);
  });

  it('pyproject.toml: PEP 621 dependencies and extras, dependency groups, poetry tables', () => {
    const before = '[project]\nname = "x"\ndependencies = ["httpx>=0.27"]\n';
    const after = [
      '[project]',
      'name = "x"',
      'dependencies = [',
      '  "httpx>=0.28",',
      '  "Pydantic>=2",',
      ']',
      '[project.optional-dependencies]',
      'cli = ["typer"]',
      '[dependency-groups]',
      'dev = ["pytest>=8"]',
      '[tool.poetry.group.docs.dependencies]',
      'mkdocs = "^1.6"',
    ].join('\n');
    expect(addedDependencies('pyproject.toml', before, after)?.added).toEqual(['mkdocs', 'pydantic', 'pytest', 'typer']);
  });

  it('Pipfile, composer.json and Gemfile', () => {
    expect(addedDependencies('Pipfile', '[packages]\nrequests = "*"\n', '[packages]\nrequests = "*"\nFlask = "*"\n[dev-packages]\npytest = "*"\n')?.added).toEqual(['flask', 'pytest']);
    expect(addedDependencies('composer.json', '{"require":{"php":">=8.2"}}', '{"require":{"php":">=8.2","Monolog/Monolog":"^3"},"require-dev":{"phpunit/phpunit":"^11"}}')?.added).toEqual([
      'monolog/monolog',
      'phpunit/phpunit',
    ]);
    expect(addedDependencies('Gemfile', "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n", "source 'https://rubygems.org'\ngem 'rails', '~> 7.2'\n  gem \"pg\"\ngem('puma')\n")?.added).toEqual(['pg', 'puma']);
  });

  it('files that are not manifests add nothing', () => {
    expect(addedDependencies('src/index.ts', null, 'import x from "y"')).toBeNull();
  });
});
