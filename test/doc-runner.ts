// Extracts the code examples of the docs (the `@example`s of doc comments, the ```ts blocks of
// Markdown guides) and runs them with the package's exports in scope. A trailing `// <value>` comment
// on a statement states what its expression (or a declaration's initializer, or console.log's
// argument) evaluates to: a number (to float32 precision; digits ending in `...` are a prefix of
// the printed number), an `[array]` (nested, of such values), `true`/`false`, or a 'string'.
// A relative import (`import { render as renderFormula } from './notation.js'`) is resolved from the
// example's own file, so an example of an internal helper can name it beside the package's names.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One example: its code (the lines of the example, comment stars stripped) and where it starts. */
export interface DocExample {
  file: string;
  line: number;
  code: string;
}

/** A stated value of an example, with the line of its statement. */
interface Claim {
  line: number;
  text: string;
  value: unknown;
}

const VALUE_START = /^(-?\d|-?\.\d|\[|'|"|true\b|false\b|NaN\b|-?Infinity\b)/;

/** Every `.ts` file under a folder, sorted. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The `/** ... *\/` comments of a TypeScript source, with the line each starts on (1-based). */
function docComments(text: string): { text: string; line: number }[] {
  const sf = ts.createSourceFile('f.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const seen = new Set<number>();
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    for (const r of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      if (seen.has(r.pos) || r.kind !== ts.SyntaxKind.MultiLineCommentTrivia || !text.startsWith('/**', r.pos)) continue;
      seen.add(r.pos);
      out.push({ text: text.slice(r.pos, r.end), line: sf.getLineAndCharacterOfPosition(r.pos).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.sort((a, b) => a.line - b.line);
}

/** The examples of one doc comment (the text of `/** ... *\/` and the line it starts on). */
export function commentExamples(comment: string, startLine: number, file: string): DocExample[] {
  const lines = comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l, i) => ({ text: i === 0 ? l : l.replace(/^\s*\* ?/, ''), line: startLine + i }));
  const out: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i].text.indexOf('@example');
    if (at < 0 || /\{@|`@example/.test(lines[i].text.slice(Math.max(0, at - 2), at + 1))) continue;
    const rest = lines[i].text.slice(at + '@example'.length).trim();
    if (rest) {
      out.push({ file, line: lines[i].line, code: rest });
      continue;
    }
    const body: string[] = [];
    let j = i + 1;
    const fenced = j < lines.length && /^\s*```/.test(lines[j].text);
    if (fenced) j++;
    const first = j;
    for (; j < lines.length; j++) {
      const t = lines[j].text;
      if (fenced ? /^\s*```/.test(t) : /^\s*@\w/.test(t)) break;
      body.push(t);
    }
    while (body.length && !body[body.length - 1].trim()) body.pop();
    if (body.length) out.push({ file, line: lines[first]?.line ?? lines[i].line, code: body.join('\n') });
    i = j - 1;
  }
  return out;
}

/** Every `@example` under a folder (file paths relative to `root`). */
export function sourceExamples(dir: string, root: string): DocExample[] {
  const out: DocExample[] = [];
  for (const f of tsFiles(dir)) {
    const text = readFileSync(f, 'utf8');
    if (!text.includes('@example')) continue;
    for (const c of docComments(text)) out.push(...commentExamples(c.text, c.line, relative(root, f)));
  }
  return out;
}

/** The ```ts blocks of a Markdown file, each with the line of its first code line. */
export function markdownExamples(text: string, file: string): DocExample[] {
  const out: DocExample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    out.push({ file, line: start + 1, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return out;
}

/** The value a trailing comment states, or undefined when it states none; throws when it reads as a value but is not one. */
export function statedValue(comment: string): { value: unknown } | undefined {
  const t = comment.replace(/^\/\/\s?/, '').trim();
  if (!VALUE_START.test(t)) return undefined;
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\.\.\.$/i.test(t)) return { value: { prefix: t.slice(0, -3) } };
  try {
    const literal = t.startsWith('[') ? t.replace(/(-?\d+\.?\d*(?:e[-+]?\d+)?)\.\.\./gi, "{ prefix: '$1' }") : t;
    const value = new Function(`"use strict"; return (${literal});`)();
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' || Array.isArray(value)) {
      if (typeof value === 'string' && !/^(['"]).*\1$/s.test(t)) throw new Error('not a string literal');
      return { value };
    }
  } catch {
    // falls through to the error below
  }
  throw new Error(`the comment '// ${t}' reads as a stated value but is not one (a number, [array], true/false or 'string' alone)`);
}

/** Whether an actual value equals a stated one (numbers to float32 precision). */
export function matches(actual: unknown, stated: unknown): boolean {
  if (stated && typeof stated === 'object' && 'prefix' in stated) {
    const prefix = (stated as { prefix: string }).prefix;
    return typeof actual === 'number' && String(actual).startsWith(prefix);
  }
  if (typeof stated === 'number') {
    if (typeof actual === 'bigint') return Number(actual) === stated;
    if (typeof actual !== 'number') return false;
    if (Object.is(actual, stated) || actual === stated) return true;
    if (Number.isNaN(stated)) return Number.isNaN(actual);
    return Math.fround(actual) === Math.fround(stated) || Math.abs(actual - stated) <= 1e-6 * Math.abs(stated);
  }
  if (Array.isArray(stated)) {
    const arr = ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<unknown>) : actual;
    return Array.isArray(arr) && arr.length === stated.length && stated.every((s, i) => matches(arr[i], s));
  }
  return actual === stated;
}

/** A value as the failure message shows it. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} [${Array.from(v as unknown as ArrayLike<unknown>).join(', ')}]`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v && typeof v === 'object' && 'prefix' in v) return `${(v as { prefix: string }).prefix}...`;
  if (v && typeof v === 'object') return `${v.constructor?.name ?? 'object'} ${String(v).slice(0, 200)}`;
  return String(v);
}

/** A Tensor as its nested array, anything else as itself (so `x.shape // [2, 3]` and `t // [1, 2]` read alike). */
function plain(v: unknown): unknown {
  if (v && typeof v === 'object' && 'toArray' in v && typeof (v as { toArray: unknown }).toArray === 'function' && 'shape' in v) {
    return (v as { toArray: () => unknown }).toArray();
  }
  return v;
}

/**
 * An example's code made runnable: imports of the package dropped (its exports are in scope), other
 * imports made dynamic, and each statement with a stated value wrapped in `__check(i, ...)`.
 */
export function instrument(example: DocExample): { js: string; claims: Claim[] } {
  const sf = ts.createSourceFile('example.ts', example.code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  const claims: Claim[] = [];
  const code = example.code;
  const lineAt = (pos: number): number => example.line + sf.getLineAndCharacterOfPosition(pos).line;
  const claim = (node: ts.Node, expr: ts.Expression): void => {
    const comments = ts.getTrailingCommentRanges(code, node.end) ?? [];
    const c = comments.find((r) => r.kind === ts.SyntaxKind.SingleLineCommentTrivia);
    if (!c) return;
    const text = code.slice(c.pos, c.end);
    let stated: { value: unknown } | undefined;
    try {
      stated = statedValue(text);
    } catch (e) {
      throw new Error(`${example.file}:${lineAt(c.pos)}: ${(e as Error).message}`);
    }
    if (!stated) return;
    const id = claims.length;
    claims.push({ line: lineAt(node.getStart(sf)), text: text.replace(/^\/\/\s?/, '').trim(), value: stated.value });
    edits.push({ start: expr.getStart(sf), end: expr.end, text: `__check(${id}, (${code.slice(expr.getStart(sf), expr.end)}))` });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const from = (node.moduleSpecifier as ts.StringLiteral).text;
      const clause = node.importClause;
      let text = '';
      if (from !== 'chainrule' && from !== 'chainrule/browser' && clause && !clause.isTypeOnly) {
        const url = /^\.\.?\//.test(from) ? pathToFileURL(resolve(ROOT, dirname(example.file), from)).href : from;
        const m = `(await import(${JSON.stringify(url)}))`;
        const parts: string[] = [];
        if (clause.name) parts.push(`const ${clause.name.text} = ${m}.default;`);
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) parts.push(`const ${nb.name.text} = ${m};`);
        if (nb && ts.isNamedImports(nb)) {
          const names = nb.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ? `${e.propertyName.text}: ${e.name.text}` : e.name.text));
          if (names.length) parts.push(`const { ${names.join(', ')} } = ${m};`);
        }
        text = parts.join(' ');
      }
      edits.push({ start: node.getStart(sf), end: node.end, text });
      return;
    }
    if (ts.isExpressionStatement(node)) {
      const e = node.expression;
      const log = ts.isCallExpression(e) && e.expression.getText(sf) === 'console.log' && e.arguments.length === 1 ? e.arguments[0] : undefined;
      claim(node, log ?? e);
    } else if (ts.isVariableStatement(node) && node.declarationList.declarations.length === 1) {
      const init = node.declarationList.declarations[0].initializer;
      if (init) claim(node, init);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const js = ts.transpileModule(out, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  return { js: js.replace(/^export \{\};?\s*$/m, ''), claims };
}

const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;

/** Runs an example with `scope`'s names bound; throws, naming file:line, on an exception or a wrong stated value. */
export async function runExample(example: DocExample, scope: Record<string, unknown>): Promise<string[]> {
  const { js, claims } = instrument(example);
  const printed: string[] = [];
  const wrong: string[] = [];
  const quiet = { ...console, log: (...a: unknown[]) => printed.push(a.map(String).join(' ')), info: () => {}, warn: () => {} };
  const check = (id: number, actual: unknown): unknown => {
    const c = claims[id];
    const a = plain(actual);
    if (a && typeof (a as { then?: unknown }).then === 'function') wrong.push(`${example.file}:${c.line}: a Promise (await it), stated ${c.text}`);
    else if (!matches(a, c.value)) wrong.push(`${example.file}:${c.line}: ${show(a)}, stated ${c.text}`);
    return actual;
  };
  const names = Object.keys(scope);
  let fn: (...args: unknown[]) => Promise<void>;
  try {
    fn = new AsyncFunction('__check', 'console', ...names, js);
  } catch (e) {
    throw new Error(`${example.file}:${example.line}: does not compile: ${(e as Error).message}`);
  }
  try {
    await fn(check, quiet, ...names.map((n) => scope[n]));
  } catch (e) {
    const err = e as Error;
    throw new Error(`${example.file}:${example.line}: throws ${err?.name ?? ''}: ${err?.message ?? String(e)}`);
  }
  if (wrong.length) throw new Error(wrong.join('\n'));
  return printed;
}

const RESERVED = new Set(['eval', 'arguments', 'default', '__check', 'console']);

/** The package's exports as a scope of names (valid identifiers only). */
export function packageScope(pkg: Record<string, unknown>): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pkg)) if (/^[A-Za-z_$][\w$]*$/.test(k) && !RESERVED.has(k)) scope[k] = v;
  return scope;
}

/** Every value a user reaches from the package: its exports and the members of its namespaces. */
export function publicValues(pkg: Record<string, unknown>): Set<unknown> {
  const out = new Set<unknown>();
  for (const v of Object.values(pkg)) {
    out.add(v);
    if (v && typeof v === 'object' && Object.prototype.toString.call(v) === '[object Module]') for (const m of Object.values(v)) out.add(m);
  }
  return out;
}
