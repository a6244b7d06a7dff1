// The CLI's conventions (git/npm-like): --version, help for every command, exit 2 with one clean
// line for bad options and values, unknown -o extensions refused, one line for an unexpected
// error (--debug for the stack), bundled examples by name, and run folders that never destroy
// the user's files.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from '../src/cli/command.js';
import { COMMANDS } from '../src/cli/commands.js';
import { main } from '../src/cli/main.js';
import { root, runCli } from './explain-helpers.js';
import { corpusCsv } from './text-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'chainrule-cli-'));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs main in this process, capturing what it prints with console.log and console.error. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(`${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  try {
    return { code: await main(args), out: out.join(''), err: err.join('') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const everyCommand: Command[] = COMMANDS.flatMap((c) => [c, ...(c.subcommands ?? [])]);

/** Every file under dir with its bytes (base64), for byte-for-byte comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    out[name] = statSync(p).isDirectory() ? '<dir>' : readFileSync(p).toString('base64');
  }
  return out;
}

/** A user's folder: their data and their thesis. */
function userFolder(dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'good.csv'), corpusCsv(80));
  writeFileSync(join(dir, 'thesis.tex'), '\\documentclass{article}\n% four years of work\n');
  return snapshot(dir);
}

const oneLine = (s: string) => s.endsWith('\n') && !s.slice(0, -1).includes('\n');

describe('chainrule --version and help', () => {
  it('--version prints the package version', () => {
    const r = runCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${version}\n`);
  });

  it('help CMD and CMD --help print that command’s help, for every command and subcommand', async () => {
    const general = await cli(['help']);
    assert.equal(general.code, 0);
    for (const c of COMMANDS) assert.match(general.out, new RegExp(`^  ${c.name} +${c.summary.replace(/[()]/g, '.')}$`, 'm'));
    for (const c of everyCommand) {
      const words = c.name.split(' ');
      assert.match(c.help, new RegExp(`^usage: chainrule ${c.name}\\b`), c.name);
      for (const args of [['help', ...words], [...words, '--help'], [...words, '-h']]) {
        const r = await cli(args);
        assert.equal(r.code, 0, args.join(' '));
        assert.equal(r.out, `${c.help}\n`, args.join(' '));
        assert.notEqual(r.out, general.out);
      }
    }
    assert.equal((await cli(['textclf', 'help', 'train'])).out, `${COMMANDS.find((c) => c.name === 'textclf')?.subcommands?.[0].help}\n`);
    const unknown = await cli(['help', 'frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /^chainrule help: no command "frobnicate"/);
  });

  it('solve --help points to the problem-format reference, which exists', async () => {
    const r = await cli(['solve', '--help']);
    const doc = /The file format: (\S+problem-format\.md)/.exec(r.out)?.[1];
    assert.ok(doc, r.out);
    assert.match(readFileSync(doc, 'utf8'), /^# Problem files/);
  });

  it('demo --help and demo --foo do not run the demo', () => {
    const help = runCli(['demo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: chainrule demo/);
    const bad = runCli(['demo', '--foo']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'chainrule demo: unknown option --foo (chainrule demo --help lists the options)\n');
    for (const r of [help, bad]) assert.doesNotMatch(r.out, /backend:|dLoss\/d\(name\)/);
    const run = runCli(['demo']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^x8 +0\.0003339856651 +3\.000000000$/m);
  });
});

describe('chainrule: bad options and values exit 2 with one line', () => {
  it('an unknown option, for every command', async () => {
    for (const c of everyCommand) {
      const r = await cli([...c.name.split(' '), '--bogus']);
      assert.equal(r.code, 2, c.name);
      assert.equal(r.err, `chainrule ${c.name}: unknown option --bogus (chainrule ${c.name} --help lists the options)\n`);
    }
    assert.equal((await cli(['--bogus'])).code, 2);
    assert.equal((await cli(['frob'])).err, 'chainrule: unknown command "frob" (chainrule help lists the commands)\n');
  });

  it('bad values name the option and what it takes', async () => {
    const train = ['textclf', 'train', '--data', 'x.csv', '--text-col', 't', '--label-col', 'l', '--out', join(tmp, 'never'), '--model', 'logreg'];
    for (const [args, message] of [
      [[...train, '--epochs', '0'], '--epochs must be a positive integer (got "0")'],
      [[...train, '--epochs', '-1'], '--epochs must be a positive integer (got "-1")'],
      [[...train, '--epochs', '2.5'], '--epochs must be a positive integer (got "2.5")'],
      [[...train, '--epochs=ten'], '--epochs must be a positive integer (got "ten")'],
      [[...train, '--batch-size', '0'], '--batch-size must be a positive integer (got "0")'],
      [[...train, '--lr', '0'], '--lr must be a positive number (got "0")'],
      [[...train, '--dropout', '1'], '--dropout must be a number from 0 up to (not including) 1 (got "1")'],
      [[...train, '--weight-decay', '-0.1'], '--weight-decay must be a non-negative number (got "-0.1")'],
      [[...train, '--seed', '1.5'], '--seed must be an integer (got "1.5")'],
      [[...train, '--curve', '0,1'], '--curve must be fractions in (0, 1] separated by commas, or none (got "0,1")'],
      [[...train, '--epochs'], '--epochs needs a value (chainrule textclf train --help)'],
      [[...train, '--tune=yes'], '--tune takes no value (got --tune=yes)'],
      [['solve', 'network-n', '--digits', '0'], '--digits must be an integer from 1 to 17 (got "0")'],
      [['solve', 'network-n', '--format', 'pdf'], '--format must be md, tex, text, html or json (got "pdf")'],
      [['graph', 'network-n', '--inline', '-1'], '--inline must be a non-negative integer (got "-1")'],
      [['graph', 'network-n', '--direction', 'up'], '--direction must be LR or TB (got "up")'],
      [['plot', 'activations', 'relu', '--samples', '1', '-o', join(tmp, 'p.svg')], '--samples must be an integer from 2 to 100000 (got "1")'],
      [['demo', 'extra'], 'expected no arguments, got "extra" (chainrule demo --help)'],
      [['examples', 'all'], 'expected no arguments, got "all" (chainrule examples --help)'],
    ] as [string[], string][]) {
      const r = await cli(args);
      const name = args[0] === 'textclf' ? 'textclf train' : args[0];
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.err, `chainrule ${name}: ${message}\n`);
    }
    assert.equal(existsSync(join(tmp, 'never')), false);
    assert.equal(existsSync(join(tmp, 'p.svg')), false);
  });

  it('messages carry the command name once', async () => {
    for (const [args, line] of [
      [['solve'], 'chainrule solve: expected one problem file, got none (chainrule solve --help)'],
      [['check', 'network-n'], 'chainrule check: --answers ANSWERS.yaml is required (chainrule check --help)'],
      // the library's own message starts "plot: "
      [['plot', 'activations', 'relu7', '-o', join(tmp, 'p.svg')], 'chainrule plot: unknown activation "relu7"'],
      // ... and "textclf: "
      [['textclf', 'train', '--model', 'svm'], 'chainrule textclf train: unknown model "svm" (models: majority, logreg, mlp, fasttext, cnn, bigru, bilstm, transformer)'],
      [['textclf', 'fit'], 'chainrule textclf: unknown subcommand "fit" (train, compare, predict, explain)'],
    ] as [string[], string][]) {
      const r = await cli(args);
      assert.equal(r.code, 2);
      assert.ok(r.err.startsWith(line), `${r.err} should start with ${line}`);
      assert.ok(oneLine(r.err), r.err);
      assert.doesNotMatch(r.err, /chainrule (\w+)( \w+)?: \1( \w+)?:/);
    }
  });
});

describe('chainrule: output files', () => {
  it('an -o extension it does not know is an error, and nothing is written', async () => {
    for (const [args, out, message] of [
      [['solve', 'network-n'], 'out.xyz', 'unknown extension .xyz; use one of .md, .markdown, .tex, .txt, .html, .htm, .json, or give --format'],
      [['solve', 'network-n'], 'out', 'no extension; use one of'],
      [['graph', 'network-n'], 'g.png', 'unknown extension .png; use one of .dot, .gv, .svg, .mmd, .mermaid, or give --format'],
      [['plot', 'activations', 'relu'], 'p.jpg', 'unknown extension .jpg; use one of .svg, .png (nothing was written)'],
    ] as [string[], string, string][]) {
      const path = join(tmp, out);
      const r = await cli([...args, '-o', path]);
      assert.equal(r.code, 2);
      assert.ok(r.err.startsWith(`chainrule ${args[0]}: -o ${path}: ${message}`), r.err);
      assert.equal(existsSync(path), false);
    }
    // an explicit --format makes any name fine
    const named = join(tmp, 'solution.xyz');
    assert.equal((await cli(['solve', 'network-n', '--format', 'md', '-o', named])).code, 0);
    assert.match(readFileSync(named, 'utf8'), /^# Network N/);
  });

  it('-o into a missing folder is one clean line and exit 2 (graph, plot, solve)', async () => {
    const nodir = join(tmp, 'nodir');
    for (const args of [
      ['graph', 'network-n', '-o', join(nodir, 'g.svg')],
      ['plot', 'activations', 'relu', '-o', join(nodir, 'p.png')],
      ['solve', 'network-n', '-o', join(nodir, 's.md')],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2);
      assert.equal(r.err, `chainrule ${args[0]}: cannot write ${args[args.length - 1]}: the folder ${nodir} does not exist\n`);
    }
    assert.equal(existsSync(nodir), false);
  });

  it('a save error names the output file, never the temporary one', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'keep');
    const r = await cli(['solve', 'network-n', '-o', join(file, 'x.md')]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `chainrule solve: cannot write ${join(file, 'x.md')}: ${file} is not a folder\n`);
    const dirOut = join(tmp, 'a-dir.dot');
    mkdirSync(dirOut);
    const d = await cli(['graph', 'network-n', '-o', dirOut]);
    assert.equal(d.err, `chainrule graph: cannot write ${dirOut}: it is a folder\n`);
    assert.doesNotMatch(r.err + d.err, /\.tmp|\.staging/);
  });

  it('graph -o replaces a file whole and leaves no temporary file; -o never overwrites the input', async () => {
    const dir = mkdtempSync(join(tmp, 'graph-'));
    const out = join(dir, 'g.dot');
    writeFileSync(out, 'x'.repeat(100_000));
    assert.equal((await cli(['graph', 'network-n', '-o', out])).code, 0);
    assert.match(readFileSync(out, 'utf8'), /^digraph [\s\S]*\}\n$/);
    assert.deepEqual(readdirSync(dir), ['g.dot']);
    const problem = join(dir, 'p.yaml');
    const text = readFileSync(join(root, 'examples', 'problems', 'network-n.yaml'));
    writeFileSync(problem, text);
    for (const cmd of ['solve', 'graph']) {
      const r = await cli([cmd, problem, '--format', cmd === 'solve' ? 'md' : 'dot', '-o', problem]);
      assert.equal(r.code, 2);
      assert.match(r.err, /-o .*p\.yaml is the input file .*p\.yaml; give another output path/);
    }
    assert.deepEqual(readFileSync(problem), text);
  });
});

describe('chainrule: an unexpected error', () => {
  it('is one line with exit 1, and --debug adds the stack trace', () => {
    const dir = mkdtempSync(join(tmp, 'broken-run-'));
    // a run folder whose model.json lost its features: loading it fails inside the library
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'chainrule-textclf/1', model: 'logreg', labels: ['a', 'b'], positive: null, hp: null, features: null, dataset: 'x' }));
    const r = runCli(['textclf', 'predict', dir, 'some text']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^chainrule textclf predict: unexpected error: .+ \(run again with --debug for the stack trace\)\n$/);
    assert.ok(oneLine(r.stderr));
    const d = runCli(['textclf', 'predict', dir, 'some text', '--debug']);
    assert.equal(d.code, 1);
    assert.match(d.stderr, /^chainrule textclf predict: unexpected error: [^\n]+\n\w*Error: [^\n]+\n {4}at /);
    assert.equal(runCli(['--debug', 'textclf', 'predict', dir, 'x']).stderr, d.stderr);
  });
});

describe('chainrule: bundled examples', () => {
  it('solve, check and graph take a bundled problem by name from any folder; examples lists them all', () => {
    const cwd = mkdtempSync(join(tmp, 'anywhere-'));
    const solve = runCli(['solve', 'network-n', '--format', 'text'], { cwd });
    assert.equal(solve.code, 0, solve.stderr);
    assert.match(solve.stdout, /x6 = a·x2 \+ b·x3 \+ c·x2·x3\n {3}= 3·2 \+ 4·\(-1\) \+ 2·2·\(-1\)\n {3}= -2/);
    const check = runCli(['check', 'seed-001-relu-bce', '--answers', 'seed-001-relu-bce'], { cwd });
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, /log10/);
    const list = runCli(['examples'], { cwd });
    assert.equal(list.code, 0);
    const names = readdirSync(join(root, 'examples', 'problems'))
      .filter((f) => f.endsWith('.yaml') && !f.endsWith('.answers.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    assert.ok(names.length >= 6);
    for (const n of names) assert.match(list.stdout, new RegExp(`^  ${n} `, 'm'));
    assert.match(list.stdout, /^ {2}network-n +answers +Network N$/m);
    const missing = runCli(['solve', 'nope'], { cwd });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'chainrule solve: cannot read nope: no such file, and no bundled example problem of that name (chainrule examples lists them)\n');
    assert.deepEqual(readdirSync(cwd), []);
  });
});

describe('chainrule textclf: run folders never destroy the user’s files', () => {
  const train = (out: string, ...more: string[]) => ['textclf', 'train', '--data', 'good.csv', '--text-col', 'text', '--label-col', 'label', '--model', 'majority', '--curve', 'none', '--out', out, ...more];

  it('refuses --out . (the issue’s data loss), .., an existing file, a foreign folder, home and / with exit 2', () => {
    const parent = mkdtempSync(join(tmp, 'refuse-'));
    const cwd = join(parent, 'project');
    const before = userFolder(cwd);
    writeFileSync(join(cwd, 'notes.txt'), 'my notes\n');
    mkdirSync(join(cwd, 'existing'));
    writeFileSync(join(cwd, 'existing', 'mine.txt'), 'mine\n');
    const home = join(parent, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.bashrc'), 'export X=1\n');
    const all = snapshot(cwd);
    for (const [out, message, force] of [
      ['.', '--out . is the current folder; give a new folder such as run, or add --force', false],
      ['..', '--out .. is a folder that holds the current folder; give a new folder such as ../run, or add --force', false],
      ['notes.txt', '--out notes.txt is a file, not a folder; give a new folder path (nothing was written)', false],
      ['notes.txt', '--out notes.txt is a file, not a folder', true],
      ['existing', '--out existing is a folder chainrule did not write (it holds mine.txt); give a new folder, or add --force', false],
      ['existing/', '--out existing/ is a folder chainrule did not write (it holds mine.txt)', false],
      [home, `--out ${home} is your home folder`, false],
      ['/', '--out / is a filesystem root', false],
    ] as [string, string, boolean][]) {
      const r = runCli(force ? train(out, '--force') : train(out), { cwd, env: { HOME: home } });
      assert.equal(r.code, 2, `${out}: ${r.out}`);
      assert.ok(r.stderr.startsWith(`chainrule textclf train: ${message}`), r.stderr);
      assert.ok(oneLine(r.stderr), r.stderr);
      assert.deepEqual(snapshot(cwd), all, out);
    }
    for (const [k, v] of Object.entries(before)) assert.equal(all[k], v);
    assert.deepEqual(readdirSync(parent).sort(), ['home', 'project']);
    assert.deepEqual(readdirSync(home), ['.bashrc']);
  });

  it('--force writes the run into a folder and keeps the user’s files byte for byte', () => {
    const cwd = mkdtempSync(join(tmp, 'force-'));
    const before = userFolder(cwd);
    const r = runCli(train('.', '--force', '--quiet'), { cwd });
    assert.equal(r.code, 0, r.stderr);
    const after = snapshot(cwd);
    for (const [k, v] of Object.entries(before)) assert.equal(after[k], v, k);
    for (const f of ['.chainrule-run.json', 'metrics.json', 'model.json', 'report.md']) assert.ok(f in after, f);
  });

  it('progress goes to standard error one line per epoch when it is not a terminal, and the summary is printed once', () => {
    const cwd = mkdtempSync(join(tmp, 'progress-'));
    userFolder(cwd);
    const r = runCli(['textclf', 'train', '--data', 'good.csv', '--text-col', 'text', '--label-col', 'label', '--model', 'logreg', '--epochs', '3', '--curve', 'none', '--min-df', '1', '--out', 'run'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const epochs = (JSON.parse(readFileSync(join(cwd, 'run', 'history.json'), 'utf8')) as { history: unknown[] }).history.length;
    assert.ok(epochs >= 1);
    const lines = r.stderr.match(/^Epoch \d+\/3 {2}loss \S+ {2}lr \S+ {2}devLoss \S+ {2}devF1 \S+ {2}\S+s$/gm) ?? [];
    assert.deepEqual(
      lines.map((l) => l.split(' ')[1]),
      Array.from({ length: epochs }, (_, i) => `${i + 1}/3`),
    );
    assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('\u001b'), 'no redrawn bar');
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 1, r.stdout);
    assert.match(r.stdout, /^logreg: test accuracy \d\.\d{4}, macro-F1 \d\.\d{4}; dev macro-F1 \d\.\d{4}; wrote run\n$/);
    assert.equal(r.out.match(/test accuracy|test macro-F1/g)?.length, 1, r.out);
  });

  it('CSV problems are reported at file:line:col; a Latin-1 file warns once', () => {
    const cwd = mkdtempSync(join(tmp, 'csv-'));
    writeFileSync(join(cwd, 'quote.csv'), 'text,label\n"never closed,ham\nb,spam\nc,ham\nd,spam\n');
    const q = runCli(['textclf', 'train', '--data', 'quote.csv', '--text-col', 'text', '--label-col', 'label', '--model', 'majority', '--out', 'run'], { cwd });
    assert.equal(q.code, 2);
    assert.equal(q.stderr, 'chainrule textclf train: quote.csv:2:1: the quoted field opened here is never closed (a quote inside a quoted field is written "")\n');
    const latin1 = corpusCsv(80).replace(/meeting/g, 'r\xe9union');
    writeFileSync(join(cwd, 'latin1.csv'), Buffer.from(latin1, 'latin1'));
    const l = runCli(['textclf', 'train', '--data', 'latin1.csv', '--text-col', 'text', '--label-col', 'label', '--model', 'majority', '--curve', 'none', '--out', 'run'], { cwd });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(l.stderr.match(/not valid UTF-8/g)?.length, 1, l.stderr);
    assert.match(l.stderr, /^warning: latin1\.csv:\d+:\d+: not valid UTF-8 \(on \d+ lines, the first here\).* iconv -f latin1 -t utf-8 latin1\.csv/m);
    assert.deepEqual(readdirSync(cwd).sort(), ['latin1.csv', 'quote.csv', 'run']);
  });
});
