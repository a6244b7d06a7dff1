#!/usr/bin/env node
// Compiles the LaTeX output of `chainrule solve` with pdflatex: each problem file given (default:
// every problem under examples/problems), in numeric and --symbolic form, wrapped in a minimal
// article with amsmath and amssymb (what the fragment documents it needs). Fails on any LaTeX
// error and on an overfull box wider than 10 pt (a formula running into the margin); reports the
// worst overfull box of each file.
// Not part of npm test: CI has no TeX. Debian: apt-get install texlive-latex-base.
//
//   node scripts/check-tex.mjs [problem.yaml ...] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const keep = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : null;
let files = args.filter((a, i) => a !== '--keep' && args[i - 1] !== '--keep').map((f) => resolve(f));
if (files.length === 0) {
  const dir = join(root, 'examples', 'problems');
  files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.answers.yaml'))
    .map((f) => join(dir, f));
}
if (spawnSync('pdflatex', ['--version'], { encoding: 'utf8' }).status !== 0) {
  console.error('check-tex: pdflatex not found (Debian: apt-get install texlive-latex-base)');
  process.exit(2);
}
const work = keep ?? mkdtempSync(join(tmpdir(), 'chainrule-check-tex-'));
mkdirSync(work, { recursive: true });
let failed = 0;
let worstAll = 0;
for (const file of files) {
  for (const symbolic of [false, true]) {
    const name = `${basename(file, '.yaml')}${symbolic ? '-symbolic' : ''}`;
    const cli = spawnSync(process.execPath, [join(root, 'bin', 'chainrule.js'), 'solve', file, '--format', 'tex', ...(symbolic ? ['--symbolic'] : [])], {
      encoding: 'utf8',
    });
    if (cli.status !== 0) {
      console.log(`FAIL ${name}: chainrule solve exited ${cli.status}: ${cli.stderr.trim()}`);
      failed++;
      continue;
    }
    writeFileSync(join(work, `${name}.frag.tex`), cli.stdout);
    const doc = `\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\begin{document}\n\\input{${name}.frag.tex}\n\\end{document}\n`;
    writeFileSync(join(work, `${name}.tex`), doc);
    const tex = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `${name}.tex`], { cwd: work, encoding: 'utf8' });
    const log = readFileSync(join(work, `${name}.log`), 'utf8');
    const overfull = (log.match(/^Overfull/gm) ?? []).length;
    const worst = Math.max(0, ...[...log.matchAll(/^Overfull \\hbox \(([\d.]+)pt too wide\)/gm)].map((m) => Number(m[1])));
    worstAll = Math.max(worstAll, worst);
    if (tex.status !== 0) {
      const err = log.split('\n').findIndex((l) => l.startsWith('!'));
      console.log(`FAIL ${name}:\n${log.split('\n').slice(err, err + 4).join('\n')}`);
      failed++;
    } else if (worst > 10) {
      console.log(`FAIL ${name}: ${overfull} overfull box${overfull === 1 ? '' : 'es'}, the worst ${worst} pt too wide (more than 10 pt)`);
      failed++;
    } else {
      console.log(`ok   ${name} (${overfull} overfull box${overfull === 1 ? '' : 'es'}${overfull ? `, the worst ${worst} pt` : ''})`);
    }
  }
}
if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`${failed ? `${failed} failed` : 'all compiled'}; the worst overfull box: ${worstAll} pt`);
process.exit(failed ? 1 : 0);
