// Lists the public exports of the package entries (src/index.ts, src/browser.ts, and the members
// of their namespaces: nn, F, optim, ...) that have no doc comment, or (functions, classes,
// constants) no `@example`, as file:line. Exit status 1 when any is listed.
//   node scripts/undocumented.mjs [--json] [--entry src/index.ts]
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const entryAt = args.indexOf('--entry');
const entries = entryAt >= 0 ? [args[entryAt + 1]] : ['src/index.ts', 'src/browser.ts'];

const config = ts.getParsedCommandLineOfConfigFile(resolve(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram(
  entries.map((e) => resolve(root, e)),
  { ...config.options, noEmit: true },
);
const checker = program.getTypeChecker();

/** Whether a symbol is a value users call or construct (so it needs an example), not only a type. */
function isValue(sym) {
  return (sym.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable | ts.SymbolFlags.Enum)) !== 0;
}

const seen = new Map();
/** Records one export (`name` as a user writes it) and walks into namespaces. */
function visit(name, sym, entry) {
  const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  const decl = target.declarations?.[0];
  if (!decl) return;
  if (ts.isSourceFile(decl) || ts.isModuleDeclaration(decl)) {
    for (const m of checker.getExportsOfModule(target)) visit(`${name}.${m.name}`, m, entry);
    return;
  }
  if (seen.has(target)) return;
  const sf = decl.getSourceFile();
  const where = `${relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(decl.getStart()).line + 1}`;
  const doc = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
  const tags = target.getJsDocTags(checker);
  const example = tags.some((t) => t.name === 'example');
  const missing = !doc && !tags.length ? 'doc comment' : isValue(target) && !example ? '@example' : null;
  seen.set(target, { name, entry, where, missing, kind: isValue(target) ? 'value' : 'type' });
}

for (const e of entries) {
  const sf = program.getSourceFile(resolve(root, e));
  const mod = sf && checker.getSymbolAtLocation(sf);
  if (!mod) throw new Error(`undocumented: no module at ${e}`);
  for (const sym of checker.getExportsOfModule(mod)) visit(sym.name, sym, e);
}

const rows = [...seen.values()];
const missing = rows.filter((r) => r.missing);
if (json) {
  console.log(JSON.stringify({ exports: rows.length, missing }, null, 2));
} else {
  for (const r of missing.sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true }))) {
    console.log(`${r.where}: ${r.name}: no ${r.missing}`);
  }
  const noDoc = missing.filter((r) => r.missing === 'doc comment').length;
  console.log(`${rows.length} public exports; ${noDoc} without a doc comment, ${missing.length - noDoc} without an @example`);
}
process.exit(missing.length ? 1 : 0);
