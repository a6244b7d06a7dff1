// The API reference's own typedoc plugin (listed in typedoc.json). It
// - names the two entry modules as users import them (chainrule, chainrule/browser);
// - groups each entry's exports by the layer their declaration lives in (src/<layer>/...: the
//   source path decides, nothing is tagged by hand), ops by their family (src/ops/<family>.ts);
// - reads the op table (scripts/docs-op-table.ts, in a child process with tsx) and renders each
//   op's formula and local derivatives with KaTeX at build time: on the op's page and on an
//   "Op table" page with one row per op, so the reference cannot drift from the code;
// - drops source links (the site has no source host; "Defined in file:line" stays as text);
// - files the guides (docs/*.md) under "Guides", links the playground and copies KaTeX's CSS and
//   fonts into the site (no CDN: the site works offline and from file://);
// - documents the Tensor methods named otherwise than their op (x.clip for clamp, x.var for
//   variance, x.to for cast): mapped types carry no comment, so each gets its op's entry doc.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import katex from 'katex';
import { Comment, Context, Converter, JSX, MinimalSourceFile, NamedTupleMember, ParameterType, ReflectionCategory, ReflectionGroup, ReflectionKind, RendererEvent, SourceReference } from 'typedoc';

const root = resolve(import.meta.dirname, '..');

/** The layers, in the order the reference lists them: the folder under src/, and its title. */
const LAYERS = [
  ['tensor', 'tensor'],
  ['ops', 'ops'],
  ['autograd', 'autograd'],
  ['nn', 'nn'],
  ['optim', 'optim'],
  ['train', 'train'],
  ['data', 'data'],
  ['metrics', 'metrics'],
  ['io', 'io'],
  ['explain', 'explain'],
  ['text', 'text'],
  ['backend', 'backends'],
];
const LAYER_TITLE = new Map(LAYERS);
const LAYER_ORDER = LAYERS.map(([, title]) => title);
/** The module names users import, by entry file. */
const ENTRY_NAMES = { 'src/index.ts': 'chainrule', 'src/browser.ts': 'chainrule/browser' };
const OP_TABLE_TITLE = 'Op table';
const OP_TABLE_PAGE = 'op-table';

/** The source file of a reflection's declaration (a reference's target's), relative to the repository. */
function sourceOf(refl) {
  const target = refl.isReference?.() ? refl.tryGetTargetReflectionDeep() : refl;
  const src = target?.sources?.[0] ?? target?.signatures?.[0]?.sources?.[0];
  return src ? relative(root, src.fullFileName).replaceAll('\\', '/') : undefined;
}

/** The layer title of a source path: src/<layer>/..., a file directly in src/ by its own name (errors). */
export function layerOf(path) {
  const m = /^src\/([^/]+)\//.exec(path ?? '');
  if (m) return LAYER_TITLE.get(m[1]) ?? m[1];
  const top = /^src\/([^/]+)\.ts$/.exec(path ?? '');
  return top ? top[1] : 'other';
}

/** Replaces an entry module's groups (by kind) with one group per layer, categorised by kind (ops: by family). */
function groupByLayer(mod) {
  const byLayer = new Map();
  for (const child of mod.children ?? []) {
    const path = sourceOf(child);
    const layer = layerOf(path);
    const target = child.isReference() ? child.tryGetTargetReflectionDeep() : child;
    const category = layer === 'ops' && path ? basename(path, '.ts') : ReflectionKind.pluralString(target?.kind ?? child.kind);
    if (!byLayer.has(layer)) byLayer.set(layer, new Map());
    const cats = byLayer.get(layer);
    if (!cats.has(category)) cats.set(category, []);
    cats.get(category).push(child);
  }
  const rank = (t) => (LAYER_ORDER.includes(t) ? LAYER_ORDER.indexOf(t) : LAYER_ORDER.length);
  const byName = (a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });
  mod.groups = [...byLayer.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((layer) => {
      const group = new ReflectionGroup(layer, mod);
      const cats = byLayer.get(layer);
      group.children = [...cats.values()].flat().sort(byName);
      group.categories = [...cats.keys()].sort().map((title) => {
        const c = new ReflectionCategory(title);
        c.children = cats.get(title).sort(byName);
        return c;
      });
      return group;
    });
  mod.categories = undefined;
}

/** The op table, read off the ops' entries by the library itself. */
function readOpTable() {
  const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'scripts', 'docs-op-table.ts')], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/**
 * Ops are constants (`export const tanh = defineOp(...)`): typedoc would show each as a variable of
 * type Op<...>. A constant of src/ops that is callable and carries an op table entry (`def`) is
 * documented as the function it is, as typedoc's `@function` tag asks for, without tagging 197
 * comments by hand. Its signature is defined where the constant is (math.ts), not in the helper
 * that built it (elementwise.ts): `definedAtDeclaration` moves it there.
 */
const opSymbols = new Set();
function documentOpsAsFunctions() {
  const getComment = Context.prototype.getComment;
  Context.prototype.getComment = function (symbol, kind) {
    const comment = getComment.call(this, symbol, kind);
    if (comment && kind === ReflectionKind.Variable && !comment.hasModifier('@function')) {
      const decl = symbol.getDeclarations()?.[0];
      const file = decl && relative(root, decl.getSourceFile().fileName).replaceAll('\\', '/');
      if (file?.startsWith('src/ops/')) {
        const type = this.checker.getTypeOfSymbolAtLocation(symbol, decl);
        if (type.getCallSignatures().length && type.getProperty('def')) {
          comment.modifierTags.add('@function');
          opSymbols.add(symbol);
        }
      }
    }
    return comment;
  };
}

/** Points the signatures of an op documented as a function at the op's declaration. */
function definedAtDeclaration(context, refl) {
  const decl = context.getSymbolFromReflection(refl)?.getDeclarations()?.[0];
  if (!decl) return;
  const sf = decl.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(decl.getStart());
  const at = () => {
    const s = new SourceReference(sf.fileName, line + 1, character);
    s.fileName = relative(root, sf.fileName).replaceAll('\\', '/');
    return s;
  };
  refl.sources = [at()];
  for (const sig of refl.signatures ?? []) {
    sig.sources = [at()];
    // an op without parameters is typed (x, ...p: []) by its builder: the empty rest says nothing
    sig.parameters = sig.parameters?.filter((p) => !(p.flags.isRest && p.type?.type === 'tuple' && !p.type.elements?.length));
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  documentOpsAsFunctions();
  app.options.addDeclaration({
    name: 'playground',
    help: 'chainrule: link the playground at <out>/playground/index.html (scripts/docs.mjs builds it there)',
    type: ParameterType.Boolean,
    defaultValue: false,
  });

  let rows = [];
  const opOf = new Map(); // reflection -> its op table row
  let opTableDoc;
  const tex = (latex, display) => {
    try {
      return katex.renderToString(latex, { displayMode: display, throwOnError: true, output: 'htmlAndMathml' });
    } catch (e) {
      app.logger.warn(`op table: KaTeX cannot render ${JSON.stringify(latex)}: ${e.message}`);
      return `<code>${esc(latex)}</code>`;
    }
  };
  const rendered = new Map(); // latex -> html, per display mode
  const math = (latex, display = false) => {
    const key = `${display ? 'D' : 'I'}${latex}`;
    if (!rendered.has(key)) rendered.set(key, tex(latex, display));
    return rendered.get(key);
  };
  const derivativeLatex = (d) => `\\frac{\\partial f}{\\partial ${d.input}} = ${d.latex}`;
  const noDerivative = (row) => (row.grad === 'none' ? 'no gradient' : row.grad === 'zero' ? 'zero gradient' : 'backward only (no elementwise formula)');

  // a guide is filed under Guides; its page is named by its file (documents/from-pytorch.html), its
  // title by its first heading ("From PyTorch", once the pages are laid out)
  const guides = new Map();
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, doc) => {
    if (doc.name === OP_TABLE_PAGE || !doc.parent?.isProject()) return;
    if (doc.frontmatter.group === undefined) doc.frontmatter.group = 'Guides';
    doc.name = basename(doc.name);
    const h1 = /^#[ \t]+(.+)$/m.exec(doc.content.map((p) => p.text).join(''));
    if (h1) guides.set(doc, h1[1].trim());
  });
  app.renderer.on(
    RendererEvent.BEGIN,
    () => {
      for (const [doc, title] of guides) doc.name = title;
      if (opTableDoc) opTableDoc.name = OP_TABLE_TITLE;
    },
    100, // before the search index and the navigation read the names
  );

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.children ?? []) {
      const name = mod.kindOf(ReflectionKind.Module) && ENTRY_NAMES[sourceOf(mod)];
      if (name) mod.name = name;
    }
    rows = readOpTable();
    const intro = [
      `---\ngroup: Reference\n---\n# ${OP_TABLE_TITLE}\n`,
      `Every op of chainrule (${rows.length}), in the order the op table defines them: its names as a function, a Tensor method, in \`F\` and as an nn module, its name in problem files, its formula and its local derivative ∂f/∂(input) as the backward and worked solutions use it. `,
      'The table is generated from the ops\u2019 entries (`defineOp` in src/ops), the same entries that run the backward, so it cannot drift from the code.\n',
    ].join('');
    opTableDoc = undefined;
    app.converter.addDocument(context.project, new MinimalSourceFile(intro, join(root, 'docs', `${OP_TABLE_PAGE}.md`)), OP_TABLE_PAGE);
    opTableDoc = context.project.documents?.find((d) => d.name === OP_TABLE_PAGE);
  });

  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      for (const refl of context.project.getReflectionsByKind(ReflectionKind.Function)) {
        if (opSymbols.has(context.getSymbolFromReflection(refl))) definedAtDeclaration(context, refl);
      }
      const byName = new Map(rows.map((r) => [r.name, r]));
      opOf.clear();
      for (const refl of Object.values(context.project.reflections)) {
        if (!refl.kindOf(ReflectionKind.Variable | ReflectionKind.Function) || refl.isReference?.()) continue;
        const row = byName.get(refl.name);
        if (row && sourceOf(refl)?.startsWith('src/ops/')) {
          opOf.set(refl, row);
          // the builder types an op's parameters as a rest tuple, (x, ...p: [number?]): the entry's
          // params name its elements, (x, ...p: [negativeSlope?: number])
          for (const sig of refl.signatures ?? []) {
            for (const p of sig.parameters ?? []) {
              if (!p.flags.isRest || p.type?.type !== 'tuple' || p.type.elements.length > row.params.length) continue;
              p.type.elements = p.type.elements.map((e, i) =>
                e.type === 'optional' ? new NamedTupleMember(row.params[i].name, true, e.elementType) : e.type === 'namedTupleMember' ? e : new NamedTupleMember(row.params[i].name, false, e),
              );
            }
          }
          // the op itself ranks first in search, above its Tensor method and their inherited copies
          refl.relevanceBoost = (refl.relevanceBoost ?? 1) * 4;
        }
      }
      for (const mod of context.project.children ?? []) if (mod.kindOf(ReflectionKind.Module)) groupByLayer(mod);
      // a renamed method (an entry's `method` name or alias) is a key of a mapped type, which
      // typedoc cannot link to the op's declaration: it gets the op's entry doc and a pointer to it
      const renamed = new Map(rows.flatMap((r) => r.methods.filter((m) => m !== r.name).map((m) => [m, r])));
      for (const refl of Object.values(context.project.reflections)) {
        const owner = refl.parent;
        if (!refl.kindOf(ReflectionKind.Property | ReflectionKind.Method) || refl.hasComment?.() || !owner?.kindOf(ReflectionKind.Class)) continue;
        const row = renamed.get(refl.name);
        if (!row || !(owner.name === 'Tensor' || owner.extendedTypes?.some((t) => t.name === 'Tensor'))) continue;
        refl.comment = new Comment([
          { kind: 'text', text: `${row.doc} The method form of ` },
          { kind: 'code', text: `\`${row.name}\`` },
          { kind: 'text', text: ': ' },
          { kind: 'code', text: `\`x.${refl.name}(...)\`` },
          { kind: 'text', text: ' is ' },
          { kind: 'code', text: `\`${row.name}(x, ...)\`` },
          { kind: 'text', text: '.' },
        ]);
      }
      // Tensor's methods come from the op table through declaration merging (interface Tensor extends
      // SameNamedMethods, ...): those type aliases are no base class, and counting them as one keeps
      // Tensor and its subclasses off the hierarchy page its own page links to
      for (const refl of context.project.getReflectionsByKind(ReflectionKind.Class)) {
        const bases = refl.extendedTypes?.filter((t) => !(t.type === 'reference' && t.reflection?.kindOf(ReflectionKind.TypeAlias)));
        if (bases && bases.length !== refl.extendedTypes.length) refl.extendedTypes = bases.length ? bases : undefined;
      }
      // "Defined in src/ops/math.ts:303" stays as text: the site has no source host to link to, and
      // typedoc records sources only with a link template (typedoc.json's is never rendered)
      for (const refl of Object.values(context.project.reflections)) {
        for (const s of [...(refl.sources ?? []), ...(refl.signatures ?? []).flatMap((sig) => sig.sources ?? [])]) s.url = undefined;
      }
    },
    -200, // after typedoc's own GroupPlugin and CategoryPlugin (-100)
  );

  /** The formula block of one op: its definition and each local derivative. */
  const opBlock = (row) => {
    const parts = [`<div class="cr-formula"><h4 class="tsd-anchor-link" id="formula">Formula</h4>`, math(`f = ${row.formula}`, true)];
    if (row.derivatives.length) {
      parts.push('<h4 class="tsd-anchor-link" id="local-derivative">Local derivative</h4>');
      for (const d of row.derivatives) parts.push(math(derivativeLatex(d), true));
    } else {
      parts.push(`<p class="cr-muted">Local derivative: ${esc(noDerivative(row))}.</p>`);
    }
    if (row.deviation) parts.push(`<p class="cr-muted">Differs from PyTorch: ${esc(row.deviation)}</p>`);
    parts.push('</div>');
    return parts.join('');
  };

  app.renderer.hooks.on('comment.beforeTags', (context, _comment, refl) => {
    const owner = refl.kindOf?.(ReflectionKind.CallSignature) ? refl.parent : refl;
    const row = opOf.get(owner);
    if (!row || context.page.model !== owner) return JSX.createElement(JSX.Fragment, null);
    return JSX.createElement(JSX.Raw, { html: opBlock(row) });
  });

  const linkTo = (context, refl, text) => (refl ? `<a href="${esc(context.urlTo(refl))}"><code>${esc(text)}</code></a>` : `<code>${esc(text)}</code>`);

  /** The op table page's table: one row per op. */
  const opTable = (context) => {
    const reflOf = new Map(); // the op's page in the main entry, else in another
    for (const [refl, row] of opOf) if (!reflOf.has(row.name) || refl.parent?.name === 'chainrule') reflOf.set(row.name, refl);
    const byFamily = new Map();
    for (const row of rows) {
      if (!byFamily.has(row.family)) byFamily.set(row.family, []);
      byFamily.get(row.family).push(row);
    }
    const names = (row) =>
      [
        row.methods.length ? `<div>Tensor: ${row.methods.map((m) => `<code>.${esc(m)}</code>`).join(' ')}</div>` : '',
        row.functional ? `<div><code>${esc(row.functional)}</code></div>` : '',
        row.module ? `<div><code>nn.${esc(row.module)}</code></div>` : '',
        row.problem.length ? `<div>problem files: ${row.problem.map((p) => `<code>${esc(p)}</code>`).join(' ')}</div>` : '',
      ].join('');
    const out = [`<p class="cr-families">${[...byFamily.keys()].map((f) => `<a href="#${esc(f)}">${esc(f)}</a>`).join(' · ')}</p>`];
    for (const [family, list] of byFamily) {
      out.push(`<h2 class="tsd-anchor-link" id="${esc(family)}">${esc(family)}</h2>`);
      out.push('<div class="cr-op-table"><table><thead><tr><th>op</th><th>also</th><th>formula</th><th>local derivative</th></tr></thead><tbody>');
      for (const row of list) {
        const ds = row.derivatives.length ? row.derivatives.map((d) => `<div class="cr-math">${math(`\\displaystyle ${derivativeLatex(d)}`)}</div>`).join('') : `<span class="cr-muted">${esc(noDerivative(row))}</span>`;
        out.push(
          `<tr id="op-${esc(row.name)}"><td>${linkTo(context, reflOf.get(row.name), row.name)}<div class="cr-doc">${esc(row.doc)}</div></td>`,
          `<td class="cr-names">${names(row)}</td>`,
          `<td><div class="cr-math">${math(`\\displaystyle ${row.formula}`)}</div></td><td>${ds}</td></tr>`,
        );
      }
      out.push('</tbody></table></div>');
    }
    return out.join('\n');
  };

  app.renderer.hooks.on('content.end', (context) => {
    if (!opTableDoc || context.page.model !== opTableDoc) return JSX.createElement(JSX.Fragment, null);
    return JSX.createElement(JSX.Raw, { html: opTable(context) });
  });

  app.renderer.hooks.on('head.end', (context) =>
    JSX.createElement('link', { rel: 'stylesheet', href: context.relativeURL('assets/katex/katex.min.css', true) }),
  );

  app.renderer.hooks.on('sidebar.begin', (context) => {
    const links = [];
    if (opTableDoc) links.push(JSX.createElement('a', { href: context.urlTo(opTableDoc) }, OP_TABLE_TITLE));
    if (app.options.getValue('playground')) {
      // its ES modules, worker and wasm need http(s): browsers refuse them from file://
      const title = 'Runs from any web server (npx chainrule playground serves it); not from file://';
      links.push(JSX.createElement('a', { href: context.relativeURL('playground/index.html'), title }, 'Playground'));
    }
    return JSX.createElement('nav', { class: 'cr-links' }, ...links);
  });

  app.renderer.on(RendererEvent.END, (event) => {
    const dist = join(root, 'node_modules', 'katex', 'dist');
    const to = join(event.outputDirectory, 'assets', 'katex');
    mkdirSync(to, { recursive: true });
    cpSync(join(dist, 'katex.min.css'), join(to, 'katex.min.css'));
    cpSync(join(dist, 'fonts'), join(to, 'fonts'), { recursive: true });
  });
}
