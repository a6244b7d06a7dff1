import { join } from 'node:path';
import { writeFileAtomic, writeRunDir } from '../io/fs.js';
import { loadTextModel } from './checkpoint.js';
import { type ExplainOptions, type TextExplanation, explainText } from './explain.js';
import { explanationHtml } from './explain-html.js';
import { attentionSvg, explanationSvg } from './explain-render.js';

/** Options of {@link explainRun}. */
export interface ExplainRunOptions extends ExplainOptions {
  /** the folder to write the figures to (nothing is written without it) */
  out?: string;
  /** write into a folder that holds other files (they are kept; see writeRunDir) */
  force?: boolean;
  /** recorded in the run marker */
  command?: string;
}

/**
 * `textclf explain`: loads a run folder, converts its model to float64 (so the completeness sums
 * are not float32 rounding) and explains one text; with `out`, writes explanation.html,
 * explanation.svg, explanation.json and (transformer) attention.svg as a run folder, so a later
 * explain replaces only what an earlier one wrote.
 * @example
 * ```ts
 * // a run folder as `chainrule textclf train` writes it: model.json and model.safetensors
 * const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-run-`);
 * const f = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const meta = { format: 'chainrule-textclf/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', hp: null, features: f.toJSON(), dataset: 'demo' };
 * writeFileSync(`${dir}/model.json`, JSON.stringify(meta));
 * save(new text.LogisticRegression(f.size, 2).stateDict(), `${dir}/model.safetensors`);
 * const { explanation, written } = await explainRun(dir, 'free prize', { out: `${dir}/why` });
 * explanation.tokens.map((t) => t.token) // ['free', 'prize']
 * written.map((p) => p.slice(dir.length)) // ['/why/explanation.html', '/why/explanation.svg', '/why/explanation.json']
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function explainRun(dir: string, text: string, opts: ExplainRunOptions = {}): Promise<{ explanation: TextExplanation; written: string[] }> {
  const clf = loadTextModel(dir, 'textclf explain');
  clf.module?.double();
  const e = explainText(clf, text, { op: 'textclf explain', ...opts });
  const written: string[] = [];
  if (opts.out) {
    const files: [string, string][] = [
      ['explanation.html', explanationHtml(e)],
      ['explanation.svg', explanationSvg(e)],
      ['explanation.json', `${JSON.stringify({ model: clf.meta.model, run: dir, ...e }, null, 1)}\n`],
    ];
    const att = attentionSvg(e);
    if (att) files.push(['attention.svg', att]);
    await writeRunDir(
      opts.out,
      (stage) => {
        for (const [name, content] of files) writeFileAtomic(join(stage, name), content);
      },
      { force: opts.force, command: opts.command },
    );
    written.push(...files.map(([name]) => join(opts.out as string, name)));
  }
  return { explanation: e, written };
}
