import { describe, expect, it } from 'vitest';
import { MAX_GLOB_LENGTH, globSyntaxProblem } from '../../src/domain/globSyntax.js';

describe('globSyntaxProblem', () => {
  it.each(['src/**/*.{js,ts}', '{src,test}/**', 'f{1..3}.ts', 'f{a..e}.ts', 'src/[ab].ts', 'src/[!a].ts', 'src/[]a].ts', 'src/[[:alpha:]]*.ts', 'src/@(a|b).ts', '!(dist)/**', 'a**b', 'src/a+b$.ts', '.github/**'])(
    'accepts %s',
    (glob) => {
      expect(globSyntaxProblem(glob)).toBeNull();
    },
  );

  it.each([
    ['!test/**', /leading '!'.*"src\/\*\*"/],
    ['src/"a*".ts', /double quotes.*"src\/a\*\.ts"/],
    ['src/[ab.ts', /unbalanced '\['/],
    ['src/*.{js,ts', /unbalanced '\{'.*"src\/\*\.\{js,ts\}"/],
    ['src/a).ts', /unbalanced '\)'/],
    ['src/[[:alpha.ts', /unbalanced '\[:'/],
    ['src/{a}.ts', /two or more alternatives.*"src\/a\.ts"/],
    ['src/[a/b].ts', /'\/' inside \[\.\.\.\].*"\{src\/api,test\}\/\*\*"/],
    ['src/@(a/b|c).ts', /'\/' inside \(\.\.\.\)/],
  ])('refuses %s with a corrected example', (glob, message) => {
    expect(globSyntaxProblem(glob)).toMatch(message);
  });

  it('refuses a glob longer than the limit', () => {
    expect(globSyntaxProblem('a'.repeat(MAX_GLOB_LENGTH + 1))).toMatch(/longer than/);
  });
});
