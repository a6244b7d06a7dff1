// The architecture as a checked rule set (ARCHITECTURE.md describes it). `checkSources` takes
// sources by their path under src/ and returns every violation; the layering test runs it on the
// real tree (expecting none) and on planted violations (expecting each to be found).
import { dirname, join, normalize } from 'node:path/posix';

/** Layers, lowest first. A path belongs to the first entry whose prefix it starts with. */
export const LAYERS: readonly (readonly [string, number])[] = [
  ['errors.ts', 0],
  ['tensor/', 1],
  ['backend/', 2],
  // the functional transforms (grad, vjp, jacobian, gradcheck) are built on ops
  ['autograd/functional.ts', 5],
  ['autograd/', 3],
  ['ops/', 4],
  ['nn/', 6],
  ['data/', 6],
  ['metrics/', 6],
  ['optim/', 6],
  ['io/', 7],
  ['train/', 8],
  ['explain/', 9],
  ['text/', 10],
  ['cli/', 11],
  ['index.ts', 12],
  ['browser.ts', 12],
];

/**
 * Layers divided into sub-layers (by the layer's entry in LAYERS), lowest first. Inside such a
 * layer the same rules hold one level down: a file imports its own sub-folder and lower sub-layers,
 * never a higher one, nor a sibling sub-folder of the same level. A path belongs to the first entry
 * whose prefix it starts with; every file of the layer must belong to one.
 */
export const SUBLAYERS: ReadonlyMap<string, readonly (readonly [string, number])[]> = new Map([
  [
    'explain/',
    [
      ['explain/table.ts', 0],
      ['explain/problem/', 1],
      ['explain/symbolic/', 2],
      ['explain/derivation/', 3],
      ['explain/render/', 4],
      ['explain/check/', 4],
      ['explain/graph/', 4],
      // plot's labels use graph's number format
      ['explain/plot/', 5],
      ['explain/index.ts', 6],
    ],
  ],
]);

/** The op layer's entrances for code above it: index.ts (internal), api.ts (the package's), formula.ts (the formula language). */
const OPS_FACADE = new Set(['ops/index.ts', 'ops/api.ts', 'ops/formula.ts']);

export function layerOf(rel: string): number {
  const hit = LAYERS.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  if (!hit) throw new Error(`layering: ${rel} belongs to no layer (add it to LAYERS)`);
  return hit[1];
}

/** The subsystem of a path: its layer entry (ops/, nn/, autograd/functional.ts, ...). */
function unitOf(rel: string): string {
  const hit = LAYERS.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  return hit ? hit[0] : rel;
}

/** The sub-layer entry and level of a path in a divided layer, or null when its layer is not divided. */
export function subLayerOf(rel: string): { unit: string; level: number } | null {
  const subs = SUBLAYERS.get(unitOf(rel));
  if (!subs) return null;
  const hit = subs.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  if (!hit) throw new Error(`layering: ${rel} belongs to no sub-layer of ${unitOf(rel)} (add it to SUBLAYERS)`);
  return { unit: hit[0], level: hit[1] };
}

export interface Import {
  spec: string;
  /** `export * from` / `export { } from` */
  reexport: boolean;
  /** `import './x.js'`: imported for its side effects only */
  bare: boolean;
  line: number;
}

/** Every import and re-export of a source, type-only ones included (they count: a type is a dependency). */
export function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const re = /^[ \t]*(import|export)\b([^;'"]*?)(?:\sfrom\s*)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = text.slice(0, m.index).split('\n').length;
    const between = m[2].trim();
    out.push({ spec: m[3], reexport: m[1] === 'export', bare: m[1] === 'import' && between === '', line });
  }
  const dyn = /import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = dyn.exec(text); m; m = dyn.exec(text)) out.push({ spec: m[1], reexport: false, bare: false, line: text.slice(0, m.index).split('\n').length });
  return out;
}

/** The src-relative .ts path an import of `from` resolves to (package "#" imports by the map). */
export function resolveImport(from: string, spec: string): string | null {
  if (spec === '#native-loader') return 'backend/native/load.ts';
  if (!spec.startsWith('.')) return null;
  return normalize(join(dirname(from), spec)).replace(/\.js$/, '.ts');
}

/** Strongly connected components of size > 1 (import cycles), each as a sorted list of files. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/**
 * Every violation of the architecture in a set of sources (path under src/ -> text):
 * - an import (type-only included) of a higher layer, or of another subsystem of the same layer;
 *   inside a divided layer (SUBLAYERS), likewise of a higher sub-layer or a sibling sub-folder;
 * - above the op layer, an import of an op module other than its entrances (ops/index.ts,
 *   ops/formula.ts), or of tensor/tensor.ts (the Tensor with methods comes from ops/index.ts);
 *   re-exporting an op module whole (`export * from`) is allowed;
 * - an import made for its side effects (`import './x.js'`): wiring is explicit;
 * - a write to a prototype outside ops/methods.ts (the one place Tensor methods are bound);
 * - an import cycle between files.
 */
export function checkSources(sources: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [rel, text] of sources) {
    const deps: string[] = [];
    const from = layerOf(rel);
    const fromSub = subLayerOf(rel);
    for (const imp of importsOf(text)) {
      const at = `${rel}:${imp.line}`;
      if (imp.bare) bad.push(`${at}: imports ${imp.spec} for its side effects`);
      const target = resolveImport(rel, imp.spec);
      // packages, and files outside src/ (package.json for --version)
      if (!target || target.startsWith('../')) continue;
      deps.push(target);
      const to = layerOf(target);
      if (to > from) bad.push(`${at}: ${rel} (layer ${from}) imports ${target} (layer ${to}), a higher layer`);
      else if (to === from && unitOf(target) !== unitOf(rel)) bad.push(`${at}: ${rel} imports ${target}, a sibling subsystem of the same layer`);
      else if (fromSub && to === from) {
        const toSub = subLayerOf(target) as { unit: string; level: number };
        if (toSub.level > fromSub.level) bad.push(`${at}: ${rel} (${unitOf(rel)} sub-layer ${fromSub.level}) imports ${target} (sub-layer ${toSub.level}), a higher sub-layer`);
        else if (toSub.level === fromSub.level && toSub.unit !== fromSub.unit) bad.push(`${at}: ${rel} imports ${target}, a sibling sub-folder of the same sub-layer`);
      }
      const aboveOps = from > layerOf('ops/index.ts');
      if (aboveOps && target.startsWith('ops/') && !OPS_FACADE.has(target) && !(imp.reexport && /export\s*\*/.test(text.split('\n')[imp.line - 1]))) {
        bad.push(`${at}: ${rel} imports ${target}; above the op layer, import ops/index.ts`);
      }
      if (aboveOps && target === 'tensor/tensor.ts') bad.push(`${at}: ${rel} imports tensor/tensor.ts; take Tensor from ops/index.ts`);
    }
    graph.set(rel, deps);
    if (rel !== 'ops/methods.ts') {
      const lines = text.split('\n');
      lines.forEach((l, i) => {
        if (/\.prototype\b[^=;]*=(?!=)|defineProperty\(\s*[\w.]*prototype/.test(l) && !/^\s*(\/\/|\*)/.test(l)) bad.push(`${rel}:${i + 1}: writes to a prototype (only ops/methods.ts binds Tensor methods)`);
      });
    }
  }
  for (const c of cycles(graph)) bad.push(`import cycle: ${c.join(' -> ')}`);
  return bad;
}

/**
 * Property accesses, in the layers below ops/index.ts (tensor, backend, autograd's engine, ops),
 * of Tensor members that tensor/tensor.ts does not declare: the methods ops/methods.ts binds,
 * which code below the binding must not use (it calls the op functions instead). Uses the
 * TypeScript checker, so `x.add(y)` is told from `array.concat(...)`. `extra` adds planted files.
 */
export async function boundMethodUses(srcDir: string, extra: ReadonlyMap<string, string> = new Map()): Promise<string[]> {
  const ts = (await import('typescript')).default;
  const { readdirSync, statSync } = await import('node:fs');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  const planted = new Map([...extra].map(([rel, text]) => [join(srcDir, rel), text] as const));
  const roots = [...files(srcDir), ...planted.keys()];
  const options: import('typescript').CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['source'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.readFile = (f) => planted.get(f) ?? read(f);
  host.fileExists = (f) => planted.has(f) || exists(f);
  const program = ts.createProgram(roots, options, host);
  const checker = program.getTypeChecker();
  const below = layerOf('ops/index.ts');
  const bad: string[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.startsWith(`${srcDir}/`)) continue;
    const rel = sf.fileName.slice(srcDir.length + 1);
    if (layerOf(rel) > below || rel === 'ops/methods.ts' || rel === 'ops/index.ts' || rel === 'ops/api.ts') continue;
    const visit = (node: import('typescript').Node): void => {
      if (ts.isPropertyAccessExpression(node)) {
        const recv = checker.getTypeAtLocation(node.expression);
        const recvDecl = recv.getSymbol()?.declarations?.[0];
        if (recvDecl?.getSourceFile().fileName.endsWith('/tensor/tensor.ts')) {
          const prop = checker.getSymbolAtLocation(node.name);
          const own = prop?.declarations?.some((d) => d.getSourceFile().fileName.endsWith('/tensor/tensor.ts'));
          if (!own) {
            const { line } = sf.getLineAndCharacterOfPosition(node.name.getStart());
            bad.push(`${rel}:${line + 1}: uses the bound Tensor method .${node.name.text} (call the op function)`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return bad;
}
