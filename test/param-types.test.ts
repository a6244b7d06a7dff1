// A parameter with a default value inside a contextually typed function (an op's builder,
// `(def) => function softmax(x: Tensor, dim = -1)`, built against `(...args: any[]) => any`)
// takes its type from the context, `any`, not from its default: then `x.softmax('a')` compiles.
// Every such parameter under src/ must say its type.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';

/** Parameters with a default and no annotation that the checker types as any, as file:line: text. */
function anyDefaults(prog: ts.Program, files: readonly string[]): string[] {
  const tc = prog.getTypeChecker();
  const out: string[] = [];
  for (const sf of prog.getSourceFiles()) {
    if (!files.includes(sf.fileName)) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isParameter(n) && n.initializer && !n.type && tc.getTypeAtLocation(n).flags & ts.TypeFlags.Any) {
        out.push(`${sf.fileName.replace(`${ts.sys.getCurrentDirectory()}/`, '')}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText()}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

describe('parameter types', () => {
  it('no parameter under src/ is typed any by its context instead of by its default', () => {
    const cfg = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    assert.ok(cfg);
    const src = cfg.fileNames.filter((f) => /\/src\/.*\.ts$/.test(f));
    assert.ok(src.length > 100, `found ${src.length} files under src/`);
    assert.deepEqual(anyDefaults(ts.createProgram(src, cfg.options), src), []);
  });

  it('finds a planted one', () => {
    const file = `${ts.sys.getCurrentDirectory()}/.tmp-param-types-planted.ts`;
    const text = 'type AnyFn = (...a: any[]) => any;\nconst build = <F extends AnyFn>(f: () => F): F => f();\nexport const op = build(() => function op(x: number, dim = -1) { return x + dim; });\n';
    const host = ts.createCompilerHost({ strict: true, noEmit: true });
    const read = host.getSourceFile;
    host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang, true) : read(name, lang, ...rest));
    const found = anyDefaults(ts.createProgram([file], { strict: true, noEmit: true }, host), [file]);
    assert.deepEqual(found, ['.tmp-param-types-planted.ts:3: dim = -1']);
  });
});
