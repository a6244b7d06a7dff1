import { isMap, isScalar, type Node as YamlNode, parseDocument, type Scalar } from 'yaml';
import { ChainruleError } from '../../errors.js';
import { type Expr, namesIn } from '../../ops/formula.js';
import { checkCalls } from './functions.js';
import { ExprSyntaxError, parseExpr } from './parser.js';

/** A number, or nested lists of numbers (a matrix is a list of rows; a column vector [[1],[2]]). @example parseProblem('inputs:\n  X: [[1, 2], [3, 4]]\n').inputs.get('X') // [[1, 2], [3, 4]] */
export type NestedNumber = number | NestedNumber[];

/**
 * One `name: expression` line of the `nodes` or `then` section.
 * @example const [d] = parseProblem('params: { w: 3 }\nnodes:\n  L: w^2\n').nodes; [d.name, d.source, d.section, d.line] // ['L', 'w^2', 'nodes', 3]
 */
export interface Definition {
  /** the name defined */
  name: string;
  /** the parsed expression */
  expr: Expr;
  /** the expression as written */
  source: string;
  /** the section it is in: 'nodes' (before the update) or 'then' (after it) */
  section: 'nodes' | 'then';
  /** 1-based line of the definition in the problem file */
  line: number;
}

/**
 * A parsed problem file (see examples/problems/).
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * [problem.title, problem.file] // ['Tiny', '<problem>']
 * problem.nodes.map((d) => d.name) // ['y']
 * problem.backward?.from // 'y'
 * ```
 */
export interface Problem {
  /** the file it came from (`<problem>` when parsed from a string) */
  file: string;
  /** the `title` line */
  title: string;
  /** the `inputs` section, by name */
  inputs: Map<string, NestedNumber>;
  /** the `params` section (what the update changes), by name */
  params: Map<string, NestedNumber>;
  /** the `nodes` section in order */
  nodes: Definition[];
  /** the node differentiated and the upstream gradient (default 1), or null */
  backward: {
    /** the node differentiated (the loss) */
    from: string;
    /** the upstream gradient dL/d(from) (default 1, or ones of from's shape) */
    seed?: NestedNumber;
  } | null;
  /** the SGD step's learning rate, or null */
  update: {
    /** the learning rate of `update: { sgd: { lr } }` */
    lr: number;
  } | null;
  /** the `then` section: definitions and update rules evaluated after the step */
  thenDefs: Definition[];
  /** 1-based line of every defined name, for messages */
  lines: Map<string, number>;
  /** the problem's statement: its file's comment lines before the first section after the title */
  statement?: string;
}

const SECTIONS = ['title', 'inputs', 'params', 'nodes', 'backward', 'update', 'then'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** 1-based line and column of an offset in a text. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** `file:line:col: message`, then the source line and a caret under the column. */
export function pointAt(file: string, text: string, offset: number, message: string): string {
  const { line, col } = lineCol(text, offset);
  const src = text.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
  const pad = src.slice(0, col - 1).replace(/[^\t]/g, ' ');
  return `${file}:${line}:${col}: ${message}\n  ${src}\n  ${pad}^`;
}

/** Maps an offset in a scalar's value to the file: walks the value and the source in parallel. */
function mapOffset(value: string, text: string, start: number, offset: number): number {
  let s = start;
  for (let i = 0; i < offset && i < value.length; i++) {
    const ch = value[i];
    if (/\s/.test(ch)) continue;
    const found = text.indexOf(ch, s);
    if (found < 0) break;
    s = found + 1;
  }
  if (offset < value.length) {
    const ch = value[offset];
    if (!/\s/.test(ch)) {
      const found = text.indexOf(ch, s);
      if (found >= 0) return found;
    }
  }
  return Math.min(s, text.length);
}

function nested(v: unknown, where: string): NestedNumber {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ChainruleError(`${where}: ${v} is not a finite number`);
    return v;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) throw new ChainruleError(`${where}: an empty list is not a value`);
    const items = v.map((x, i) => nested(x, `${where}[${i}]`));
    const shapeOf = (x: NestedNumber): string => (Array.isArray(x) ? `${x.length},${shapeOf(x[0])}` : '');
    const s0 = shapeOf(items[0]);
    items.forEach((x, i) => {
      if (shapeOf(x) !== s0) throw new ChainruleError(`${where}: ragged nested list (row ${i} differs in shape from row 0)`);
    });
    return items;
  }
  throw new ChainruleError(`${where}: expected a number or a nested list of numbers, got ${JSON.stringify(v)}`);
}

function mapEntries(node: YamlNode | null | undefined, section: string): [string, YamlNode | null, number][] {
  if (node == null) return [];
  if (isScalar(node) && (node.value === null || (typeof node.value === 'object' && node.value !== null))) return [];
  if (!isMap(node)) throw new ChainruleError(`${section}: expected a mapping of name: value`);
  return node.items.map((pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const off = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : 0;
    return [key, (pair.value as YamlNode | null) ?? null, off];
  });
}

/**
 * Parses a problem file's text. Throws ChainruleError for anything malformed: YAML and expression
 * syntax errors as `file:line:col` with the source line and a caret, everything else one line.
 *
 * @example parseProblem('inputs: {x: 2}\nnodes: {y: x^2}\nbackward: {from: y}', 'p.yaml').nodes[0].name // 'y'
 */
export function parseProblem(text: string, file = '<problem>'): Problem {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new ChainruleError(pointAt(file, text, err.pos[0], `YAML error: ${err.message.split('\n')[0]}`));
  }
  const root = doc.contents;
  if (!isMap(root)) throw new ChainruleError(`${file}: a problem file is a mapping with sections ${SECTIONS.join(', ')}`);
  const get = (k: string) => root.items.find((p) => isScalar(p.key) && p.key.value === k)?.value as YamlNode | undefined;
  for (const p of root.items) {
    const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
    if (!SECTIONS.includes(k)) throw new ChainruleError(`${file}: unknown section "${k}" (sections: ${SECTIONS.join(', ')})`);
  }
  const lineOf = (off: number) => lineCol(text, off).line;
  const lines = new Map<string, number>();
  const kinds = new Map<string, string>();
  const define = (n: string, kind: string, off: number) => {
    if (!NAME.test(n)) throw new ChainruleError(`${file}:${lineOf(off)}: "${n}" is not a valid name (letters, digits and _, not starting with a digit)`);
    if (lines.has(n)) {
      throw new ChainruleError(`${file}:${lineOf(off)}: ${n} is defined twice: as ${kinds.get(n)} (line ${lines.get(n)}) and as ${kind} (line ${lineOf(off)})`);
    }
    lines.set(n, lineOf(off));
    kinds.set(n, kind);
  };
  const values = (section: 'inputs' | 'params') => {
    const out = new Map<string, NestedNumber>();
    for (const [k, v, off] of mapEntries(get(section), section)) {
      define(k, section === 'inputs' ? 'an input' : 'a param', off);
      out.set(k, nested(v == null ? null : (v as { toJSON?: () => unknown }).toJSON?.() ?? (isScalar(v) ? v.value : null), `${file}:${lineOf(off)}: ${section}.${k}`));
    }
    return out;
  };
  const inputs = values('inputs');
  const params = values('params');

  const defs = (section: 'nodes' | 'then'): Definition[] => {
    const out: Definition[] = [];
    for (const [k, v, off] of mapEntries(get(section), section)) {
      const line = lineOf(off);
      if (v == null || !isScalar(v) || (typeof v.value !== 'string' && typeof v.value !== 'number')) {
        throw new ChainruleError(`${file}:${line}: ${section}.${k} must be an expression (a string such as "a*x + b")`);
      }
      const sc = v as Scalar;
      const src = String(sc.value);
      let expr: Expr;
      try {
        expr = parseExpr(src);
      } catch (e) {
        if (e instanceof ExprSyntaxError) {
          const start = sc.range ? sc.range[0] : 0;
          const at = mapOffset(src, text, start, e.offset);
          throw new ChainruleError(pointAt(file, text, at, `syntax error in ${k}: ${e.detail}`));
        }
        throw e;
      }
      checkCalls(expr, `${file}:${line}: ${k} = ${src}`);
      if (section === 'then' && params.has(k)) {
        // an update rule for a param (w <- expression); the param keeps its single definition
      } else define(k, section === 'nodes' ? 'a node' : 'a then-definition', off);
      out.push({ name: k, expr, source: src, section, line });
    }
    return out;
  };
  const nodes = defs('nodes');
  const then = defs('then');

  // every name must be defined above its use; a use of something below is either a cycle or an ordering mistake
  const order = new Map<string, number>();
  let idx = 0;
  for (const n of [...inputs.keys(), ...params.keys()]) order.set(n, idx++);
  const byName = new Map(nodes.map((d) => [d.name, d]));
  for (const d of [...nodes, ...then]) {
    for (const used of namesIn(d.expr)) {
      if (!lines.has(used)) {
        throw new ChainruleError(`${file}:${d.line}: ${d.name} = ${d.source}: unknown name ${used}`);
      }
      const known = order.get(used);
      if (known === undefined) {
        const path = findCycle(d.name, used, byName);
        if (path) throw new ChainruleError(`${file}:${d.line}: cycle: ${path.join(' -> ')}`);
        throw new ChainruleError(`${file}:${d.line}: ${d.name} uses ${used}, which is defined below it (line ${lines.get(used)}); definitions are read in order`);
      }
    }
    if (!(d.section === 'then' && params.has(d.name))) order.set(d.name, idx++);
  }

  let backward: Problem['backward'] = null;
  const bw = get('backward');
  if (bw != null && !(isScalar(bw) && bw.value === null)) {
    const js = bw.toJSON() as Record<string, unknown>;
    if (typeof js !== 'object' || js === null || Array.isArray(js)) throw new ChainruleError(`${file}: backward: expected {from: name, seed: value}`);
    for (const k of Object.keys(js)) if (k !== 'from' && k !== 'seed') throw new ChainruleError(`${file}: backward: unknown key "${k}" (from, seed)`);
    const from = js.from;
    if (typeof from !== 'string' || !lines.has(from)) throw new ChainruleError(`${file}: backward.from must name a defined node, got ${JSON.stringify(from)}`);
    if (kinds.get(from) === 'a then-definition') throw new ChainruleError(`${file}: backward.from ${from} is a then-definition; differentiate a node`);
    backward = { from, seed: js.seed === undefined ? undefined : nested(js.seed, `${file}: backward.seed`) };
  }
  let update: Problem['update'] = null;
  const up = get('update');
  if (up != null && !(isScalar(up) && up.value === null)) {
    const js = up.toJSON() as { sgd?: { lr?: unknown } };
    const lr = js?.sgd?.lr;
    if (typeof lr !== 'number' || !Number.isFinite(lr)) throw new ChainruleError(`${file}: update: expected sgd: { lr: number }`);
    if (Object.keys(js).length !== 1) throw new ChainruleError(`${file}: update: only sgd is supported`);
    if (!backward) throw new ChainruleError(`${file}: update needs a backward section (gradients to step along)`);
    update = { lr };
  }
  const titleNode = get('title');
  const title = titleNode && isScalar(titleNode) && titleNode.value != null ? String(titleNode.value) : file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  const statement = statementOf(text);
  return { file, title, inputs, params, nodes, backward, update, thenDefs: then, lines, ...(statement ? { statement } : {}) };
}

function findCycle(start: string, next: string, byName: Map<string, Definition>): string[] | null {
  const seen = new Set<string>();
  const walk = (cur: string, path: string[]): string[] | null => {
    if (cur === start) return path;
    if (seen.has(cur)) return null;
    seen.add(cur);
    const d = byName.get(cur);
    if (!d) return null;
    for (const u of namesIn(d.expr)) {
      const r = walk(u, [...path, u]);
      if (r) return r;
    }
    return null;
  };
  return walk(next, [start, next]);
}

/** The comment lines at the top of a problem file (before its first section other than the title), as one paragraph. */
function statementOf(text: string): string | undefined {
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (/^#/.test(raw)) lines.push(raw.replace(/^#+\s?/, '').trim());
    else if (/^[A-Za-z_]/.test(raw) && !/^title\s*:/.test(raw)) break;
  }
  const s = lines.join(' ').replace(/\s+/g, ' ').trim();
  return s || undefined;
}
