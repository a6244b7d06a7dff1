// src/io/fs.ts, the one module that writes, replaces and removes files: atomic writes, and run
// folders that only ever replace what chainrule itself wrote. Every refusal leaves the user's
// files byte for byte as they were.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainruleError } from 'chainrule';
import { RUN_MARKER, checkRunDir, writeFileAtomic, writeRunDir } from '../src/io/fs.js';

const fresh = (name: string) => mkdtempSync(join(tmpdir(), `chainrule-fs-${name}-`));

/** Every file under dir (relative path -> bytes), folders included as ''. */
function snapshot(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const rel = prefix + name;
    if (statSync(p).isDirectory()) {
      out.set(`${rel}/`, '');
      for (const [k, v] of snapshot(p, `${rel}/`)) out.set(k, v);
    } else {
      out.set(rel, readFileSync(p).toString('base64'));
    }
  }
  return out;
}

/** A folder of the user's: a CSV, a binary file and a sub-folder with notes. */
function userFolder(dir: string): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'good.csv'), 'text,label\nhello,ham\n');
  writeFileSync(join(dir, 'thesis.tex'), Buffer.from([0, 1, 2, 255, 254, 10]));
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'todo.md'), '- finish chapter 3\n');
  return snapshot(dir);
}

const build =
  (files: Record<string, string>) =>
  (dir: string): void => {
    for (const [name, text] of Object.entries(files)) {
      if (name.includes('/')) mkdirSync(join(dir, name.slice(0, name.lastIndexOf('/'))), { recursive: true });
      writeFileAtomic(join(dir, name), text);
    }
  };

const marker = (dir: string) => JSON.parse(readFileSync(join(dir, RUN_MARKER), 'utf8')) as { files: { path: string; bytes: number; sha256: string }[]; dirs: string[] };

describe('writeFileAtomic', () => {
  it('replaces a file whole, keeps its permissions and leaves no temporary file', () => {
    const dir = fresh('atomic');
    const p = join(dir, 'out.md');
    writeFileSync(p, 'old');
    chmodSync(p, 0o600);
    writeFileAtomic(p, 'new text');
    assert.equal(readFileSync(p, 'utf8'), 'new text');
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['out.md']);
  });

  it('names the path, never its temporary file, when the write fails', () => {
    const dir = fresh('fail');
    writeFileSync(join(dir, 'plain'), 'x');
    mkdirSync(join(dir, 'sub'));
    for (const [path, why] of [
      [join(dir, 'nodir', 'g.svg'), /cannot write .*nodir.g\.svg: the folder .*nodir does not exist$/],
      [join(dir, 'plain', 'g.svg'), /cannot write .*plain.g\.svg: .*plain is not a folder$/],
      [join(dir, 'sub'), /cannot write .*sub: it is a folder$/],
    ] as const) {
      assert.throws(
        () => writeFileAtomic(path, 'data'),
        (e: unknown) => e instanceof ChainruleError && why.test(e.message) && !/\.tmp/.test(e.message),
      );
    }
    assert.deepEqual(readdirSync(dir).sort(), ['plain', 'sub']);
    assert.equal(readFileSync(join(dir, 'plain'), 'utf8'), 'x');
  });
});

describe('run folders: what is refused', () => {
  it('refuses a folder chainrule did not write, and leaves it byte for byte', async () => {
    const dir = join(fresh('foreign'), 'mine');
    const before = userFolder(dir);
    await assert.rejects(
      writeRunDir(dir, build({ 'report.md': '# run' })),
      (e: unknown) => e instanceof ChainruleError && /--out .*mine is a folder chainrule did not write \(it holds good\.csv, notes, thesis\.tex\); give a new folder, or add --force/.test(e.message),
    );
    assert.deepEqual(snapshot(dir), before);
  });

  it('refuses an existing file, even with --force', async () => {
    const dir = fresh('file');
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    for (const force of [false, true]) {
      await assert.rejects(writeRunDir(join(dir, 'notes.txt'), build({ 'report.md': 'x' }), { force }), /--out .*notes\.txt is a file, not a folder; give a new folder path/);
    }
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'my notes\n');
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });

  it('refuses ., .., the home folder and a filesystem root without --force', () => {
    const parent = fresh('special');
    const cwd = join(parent, 'work');
    const before = userFolder(cwd);
    const home = process.env.HOME;
    const was = process.cwd();
    process.chdir(cwd);
    process.env.HOME = join(parent, 'home');
    mkdirSync(process.env.HOME);
    try {
      for (const [out, what] of [
        ['.', 'the current folder'],
        ['..', 'a folder that holds the current folder'],
        [process.env.HOME, 'your home folder'],
        ['/', 'a filesystem root'],
      ]) {
        assert.throws(
          () => checkRunDir(out),
          (e: unknown) => e instanceof ChainruleError && e.message.startsWith(`--out ${out} is ${what}; give a new folder such as `) && e.message.includes('--force'),
          out,
        );
      }
    } finally {
      process.chdir(was);
      process.env.HOME = home;
    }
    assert.deepEqual(snapshot(cwd), before);
    assert.deepEqual(readdirSync(parent).sort(), ['home', 'work']);
  });

  it('--force adds the run to a folder and keeps every other file byte for byte', async () => {
    const dir = join(fresh('force'), 'data');
    const before = userFolder(dir);
    await writeRunDir(dir, build({ 'report.md': '# run 1', 'cnn/model.json': '{}' }), { force: true });
    const after = snapshot(dir);
    for (const [k, v] of before) assert.equal(after.get(k), v, k);
    assert.equal(readFileSync(join(dir, 'report.md'), 'utf8'), '# run 1');
    assert.deepEqual(
      marker(dir).files.map((f) => f.path),
      ['cnn/model.json', 'report.md'],
    );
    // a second run (no --force needed now: the marker is there) replaces only the first run's files
    await writeRunDir(dir, build({ 'report.md': '# run 2' }));
    const again = snapshot(dir);
    for (const [k, v] of before) assert.equal(again.get(k), v, k);
    assert.equal(readFileSync(join(dir, 'report.md'), 'utf8'), '# run 2');
    assert.equal(existsSync(join(dir, 'cnn')), false, 'the first run’s sub-folder is gone with its files');
  });

  it('--force still never replaces a file chainrule did not write', async () => {
    const dir = join(fresh('clash'), 'data');
    const before = userFolder(dir);
    writeFileSync(join(dir, 'report.md'), 'my own report\n');
    before.set('report.md', Buffer.from('my own report\n').toString('base64'));
    await assert.rejects(
      writeRunDir(dir, build({ 'report.md': '# run', 'metrics.json': '{}' }), { force: true }),
      /the run would replace report\.md, which chainrule did not write \(or which changed since\); nothing was replaced/,
    );
    assert.deepEqual(snapshot(dir), before);
  });
});

describe('run folders: what is replaced', () => {
  it('replaces an earlier run: its files go, files the user added stay', async () => {
    const dir = join(fresh('rerun'), 'run');
    await writeRunDir(dir, build({ 'report.md': '# one', 'model.safetensors': 'weights', 'sub/a.txt': 'a' }));
    assert.deepEqual([...snapshot(dir).keys()], [RUN_MARKER, 'model.safetensors', 'report.md', 'sub/', 'sub/a.txt']);
    writeFileSync(join(dir, 'notes.txt'), 'the user’s notes');
    writeFileSync(join(dir, 'sub', 'mine.txt'), 'mine');
    await writeRunDir(dir, build({ 'report.md': '# two' }));
    assert.deepEqual([...snapshot(dir).keys()], [RUN_MARKER, 'notes.txt', 'report.md', 'sub/', 'sub/mine.txt']);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'the user’s notes');
    assert.equal(readFileSync(join(dir, 'sub', 'mine.txt'), 'utf8'), 'mine');
    assert.equal(readFileSync(join(dir, 'report.md'), 'utf8'), '# two');
    const m = marker(dir);
    assert.deepEqual(
      m.files.map((f) => [f.path, f.bytes]),
      [['report.md', 5]],
    );
    assert.match(m.files[0].sha256, /^[0-9a-f]{64}$/);
  });

  it('keeps a file of an earlier run that the user changed, and refuses to overwrite it', async () => {
    const dir = join(fresh('edited'), 'run');
    await writeRunDir(dir, build({ 'report.md': '# one', 'loss.svg': '<svg/>' }));
    writeFileSync(join(dir, 'report.md'), '# one, with my comments');
    const before = snapshot(dir);
    await assert.rejects(writeRunDir(dir, build({ 'report.md': '# two' })), /the run would replace report\.md, which chainrule did not write \(or which changed since\)/);
    assert.deepEqual(snapshot(dir), before);
    // a run that does not write report.md leaves the edited one in place (and no longer claims it)
    await writeRunDir(dir, build({ 'metrics.json': '{}' }));
    assert.equal(readFileSync(join(dir, 'report.md'), 'utf8'), '# one, with my comments');
    assert.equal(existsSync(join(dir, 'loss.svg')), false);
    assert.deepEqual(
      marker(dir).files.map((f) => f.path),
      ['metrics.json'],
    );
  });

  it('a failed run leaves the previous good output in place, and no staging folder', async () => {
    const parent = fresh('failed');
    const dir = join(parent, 'run');
    await writeRunDir(dir, build({ 'a.txt': 'good' }));
    const before = snapshot(dir);
    await assert.rejects(
      writeRunDir(dir, (d) => {
        writeFileAtomic(join(d, 'a.txt'), 'half');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(readdirSync(parent), ['run']);
    // the same for a new folder: nothing appears
    await assert.rejects(writeRunDir(join(parent, 'new'), () => Promise.reject(new Error('boom'))), /boom/);
    assert.deepEqual(readdirSync(parent), ['run']);
  });

  it('writes into an empty folder, and creates missing parents', async () => {
    const parent = fresh('empty');
    mkdirSync(join(parent, 'empty'));
    await writeRunDir(join(parent, 'empty'), build({ 'x.txt': '1' }));
    await writeRunDir(join(parent, 'a', 'b', 'run'), build({ 'y.txt': '2' }));
    assert.equal(readFileSync(join(parent, 'empty', 'x.txt'), 'utf8'), '1');
    assert.equal(readFileSync(join(parent, 'a', 'b', 'run', 'y.txt'), 'utf8'), '2');
    assert.deepEqual(readdirSync(join(parent, 'empty')).sort(), [RUN_MARKER, 'x.txt']);
  });

  it('a marker listing paths outside the folder deletes nothing there', async () => {
    const parent = fresh('evil');
    const dir = join(parent, 'run');
    await writeRunDir(dir, build({ 'a.txt': 'a' }));
    writeFileSync(join(parent, 'precious.txt'), 'keep');
    const m = marker(dir);
    const sha = m.files[0].sha256;
    m.files.push({ path: '../precious.txt', bytes: 4, sha256: sha }, { path: '/etc/hostname', bytes: 1, sha256: sha });
    m.dirs.push('..');
    writeFileSync(join(dir, RUN_MARKER), JSON.stringify({ ...m, format: 'chainrule-run/1' }));
    await writeRunDir(dir, build({ 'b.txt': 'b' }));
    assert.equal(readFileSync(join(parent, 'precious.txt'), 'utf8'), 'keep');
    assert.deepEqual(readdirSync(parent).sort(), ['precious.txt', 'run']);
  });
});
