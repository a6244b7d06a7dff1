// The one module of chainrule that changes the file system: every write, replace and removal in
// src/ goes through these functions, so their guards hold everywhere.
//  - A file is written atomically: a temporary file in the same folder, fsync, rename. Readers see
//    the old file or the new one, and a failed write leaves the old one in place.
//  - A run folder (a command's output folder) is replaced only when it holds chainrule's run
//    marker from an earlier run, and then only the files that marker lists (and that are
//    unchanged since) are replaced or removed. Nothing else is ever deleted, --force included.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { ChainruleError } from '../errors.js';

/** The file chainrule leaves in every run folder it writes: what it wrote there, with checksums. */
export const RUN_MARKER = '.chainrule-run.json';
const MARKER_FORMAT = 'chainrule-run/1';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENAMETOOLONG: 'the name is too long',
  EXDEV: 'it is on another file system',
  EBUSY: 'it is in use',
  EMFILE: 'too many open files',
  ENOTEMPTY: 'a non-empty folder of that name exists',
  EEXIST: 'it already exists',
};

/** Why a file-system call failed, in words that never name chainrule's temporary files. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code && REASONS[code]) return REASONS[code];
  if (e instanceof ChainruleError) return e.message;
  return code ?? 'unknown error';
}

function statOrNull(path: string, follow = true): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return null;
  }
}

let counter = 0;
function tempName(name: string): string {
  return `.${name}.${process.pid}.${randomBytes(4).toString('hex')}${counter++}.tmp`;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some platforms (Windows) cannot fsync a folder; the rename itself is still atomic
  }
}

/**
 * Writes `data` to `path` atomically: into a temporary file in the same folder, flushed to disk
 * (fsync), then renamed over `path`. A crash or error at any point leaves the old file (or no
 * file), never a truncated one; a replaced file keeps its permissions. The folder must exist.
 * Errors name `path` (never the temporary file) and start with `op: ` when `op` is given.
 * @example
 * writeFileAtomic('report.md', '# Report\n');
 * writeFileAtomic('report.md', '# Report, second draft\n'); // replaces it in one rename
 * readFileBytes('report.md', 'example').length; // 23
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, op?: string): void {
  const fail = (why: string) => new ChainruleError(`${op ? `${op}: ` : ''}cannot write ${path}: ${why}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const dir = dirname(resolve(path));
  const d = statOrNull(dir);
  if (!d) throw fail(`the folder ${dirname(path)} does not exist`);
  if (!d.isDirectory()) throw fail(`${dirname(path)} is not a folder`);
  const old = statOrNull(path);
  if (old?.isDirectory()) throw fail('it is a folder');
  const tmp = join(dir, tempName(basename(path)));
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', old ? old.mode & 0o777 : 0o666);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may never have been created
    }
    throw fail(reason(e));
  }
  fsyncDir(dir);
}

/**
 * Creates a folder and any missing parents (like `mkdir -p`); an existing folder is fine. Only
 * ever creates: nothing that exists is touched.
 * @example
 * makeDirs('made/deep');
 * makeDirs('made/deep'); // already there: nothing happens
 * writeFileAtomic('made/deep/notes.txt', 'ok');
 * sameFile('made/deep/notes.txt', 'made/../made/deep/notes.txt'); // true
 */
export function makeDirs(path: string): void {
  const s = statOrNull(path);
  if (s?.isDirectory()) return;
  if (s) throw new ChainruleError(`cannot create the folder ${path}: a file of that name exists`);
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new ChainruleError(`cannot create the folder ${path}: ${reason(e)}`);
  }
}

/** Reads a whole file, turning a missing file into a clear ChainruleError. */
export function readFileBytes(path: string, op = 'load'): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ChainruleError(`${op}: no file at ${path}`);
    throw new ChainruleError(`${op}: could not read ${path}: ${reason(e)}`);
  }
}

/**
 * True when both paths name the same existing file (also through links), so a command can refuse
 * to write its output over its own input.
 * @example
 * writeFileAtomic('a.yaml', 'x: 1\n');
 * sameFile('a.yaml', './a.yaml') // true
 * sameFile('a.yaml', 'missing.yaml') // false
 */
export function sameFile(a: string, b: string): boolean {
  const sa = statOrNull(a);
  const sb = statOrNull(b);
  return sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
}

// ---------------------------------------------------------------------------------------------
// Run folders

interface MarkedFile {
  path: string;
  bytes: number;
  sha256: string;
}

interface RunMarkerFile {
  format: typeof MARKER_FORMAT;
  written: string;
  command?: string;
  /** every file chainrule wrote, relative to the run folder, with '/' separators */
  files: MarkedFile[];
  /** the sub-folders it created */
  dirs: string[];
}

/** Options of {@link writeRunDir} and {@link checkRunDir}. */
export interface RunDirOptions {
  /** allow a folder that holds other files (and `.`, `..`, home, a root); they are kept as they are */
  force?: boolean;
  /** recorded in the run marker */
  command?: string;
  /** the option that named the folder, for messages (default '--out') */
  flag?: string;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readMarker(dir: string): RunMarkerFile | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, RUN_MARKER), 'utf8')) as RunMarkerFile;
    if (m.format !== MARKER_FORMAT || !Array.isArray(m.files) || !Array.isArray(m.dirs)) return null;
    return m;
  } catch {
    return null;
  }
}

/** A marked path must stay inside the run folder: the marker is a file anyone could edit. */
function insideRel(rel: string): boolean {
  return typeof rel === 'string' && rel !== '' && !isAbsolute(rel) && !rel.split(/[\\/]/).some((p) => p === '..' || p === '' || p === '.');
}

/** The files of an earlier run that are still exactly as chainrule wrote them. */
function ownedFiles(dir: string, marker: RunMarkerFile | null): Map<string, MarkedFile> {
  const owned = new Map<string, MarkedFile>();
  for (const f of marker?.files ?? []) {
    if (!insideRel(f.path)) continue;
    const p = join(dir, f.path);
    const s = statOrNull(p, false);
    if (s?.isFile() && s.size === f.bytes && sha256(p) === f.sha256) owned.set(f.path, f);
  }
  return owned;
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** `.`, `..` (any folder holding the working folder), the home folder, or a filesystem root. */
function specialFolder(target: string): string | null {
  const real = realOrResolved(target);
  if (parse(real).root === real) return 'a filesystem root';
  if (real === realOrResolved(homedir())) return 'your home folder';
  const cwd = realOrResolved(process.cwd());
  if (real === cwd) return 'the current folder';
  const rel = relative(real, cwd);
  if (rel && rel.split(sep)[0] !== '..' && !isAbsolute(rel)) return 'a folder that holds the current folder';
  return null;
}

/**
 * Checks that a run may be written to `out` (before any work is done), throwing a one-line
 * ChainruleError that names the path and the way out otherwise. Allowed: a missing folder, an
 * empty one, or one written by an earlier chainrule run (it holds the run marker). Refused: an
 * existing file (always), and without `force` a non-empty folder without the marker, `.`, `..`,
 * the home folder and filesystem roots.
 * @example
 * checkRunDir('runs/new'); // a missing folder is fine
 * writeFileAtomic('notes.txt', 'mine');
 * let refused = false;
 * try {
 *   checkRunDir('notes.txt');
 * } catch {
 *   refused = true;
 * }
 * refused; // true
 */
export function checkRunDir(out: string, opts: RunDirOptions = {}): void {
  const flag = opts.flag ?? '--out';
  const target = resolve(out);
  const s = statOrNull(target);
  if (s && !s.isDirectory()) throw new ChainruleError(`${flag} ${out} is a file, not a folder; give a new folder path (nothing was written)`);
  if (opts.force) return;
  const special = specialFolder(target);
  if (special) {
    throw new ChainruleError(`${flag} ${out} is ${special}; give a new folder such as ${join(out, 'run')}, or add --force to put the run's files into it (no other file is replaced or removed)`);
  }
  if (!s || readMarker(target)) return;
  const foreign = readdirSync(target).filter((n) => !stages.has(join(target, n)));
  if (foreign.length) {
    const some = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} entries)` : '');
    throw new ChainruleError(
      `${flag} ${out} is a folder chainrule did not write (it holds ${some}); give a new folder, or add --force to put the run's files into it (no other file is replaced or removed)`,
    );
  }
}

/** Every file and folder under `dir`, relative, '/'-separated, folders before their contents. */
function walk(dir: string, prefix = ''): { files: string[]; dirs: string[] } {
  const out = { files: [] as string[], dirs: [] as string[] };
  for (const name of readdirSync(dir).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const s = lstatSync(join(dir, name));
    if (s.isDirectory()) {
      out.dirs.push(rel);
      const sub = walk(join(dir, name), rel);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    } else {
      out.files.push(rel);
    }
  }
  return out;
}

function markerText(files: MarkedFile[], dirs: string[], command?: string): string {
  const m: RunMarkerFile = { format: MARKER_FORMAT, written: new Date().toISOString(), ...(command ? { command } : {}), files, dirs };
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Stage folders this process created; the only folders chainrule ever removes recursively. */
const stages = new Set<string>();

function makeStage(parent: string, name: string): string {
  const stage = join(parent, tempName(name).replace(/\.tmp$/, '.staging'));
  try {
    mkdirSync(stage);
  } catch (e) {
    throw new ChainruleError(`cannot create a folder in ${parent}: ${reason(e)}`);
  }
  stages.add(stage);
  return stage;
}

function dropStage(stage: string): void {
  if (!stages.has(stage)) return;
  rmSync(stage, { recursive: true, force: true });
  stages.delete(stage);
}

/**
 * Writes a run folder: `build` writes the run's files into a fresh staging folder, and only
 * when it returns do they replace the run at `out` (see {@link checkRunDir} for what `out` may
 * be). If `build` throws, or a new file would replace one chainrule did not write, nothing at
 * `out` changes. Files of the earlier run that this run does not write are removed, but only those
 * its marker lists and that are unchanged since; any other file in the folder stays byte for
 * byte. The folder gets a new `.chainrule-run.json` marker listing what was written.
 * @example
 * await writeRunDir('runs/cnn', (dir) => writeFileAtomic(`${dir}/a.txt`, 'x'));
 * sameFile('runs/cnn/a.txt', './runs/cnn/a.txt') // true
 */
export async function writeRunDir(out: string, build: (dir: string) => Promise<void> | void, opts: RunDirOptions = {}): Promise<void> {
  checkRunDir(out, opts);
  const target = resolve(out);
  const exists = statOrNull(target) !== null;
  makeDirs(dirname(target));
  // staged next to the folder (a new run moves in with one rename) or inside it (the same file
  // system, so every file moves in with an atomic rename)
  const stage = exists ? makeStage(target, 'chainrule-run') : makeStage(dirname(target), basename(target));
  try {
    await build(stage);
    checkRunDir(out, opts);
    const { files, dirs } = walk(stage);
    if (files.includes(RUN_MARKER)) throw new ChainruleError(`${RUN_MARKER} is chainrule's own run marker; a run cannot write a file of that name`);
    const marked = files.map((path) => ({ path, bytes: statSync(join(stage, path)).size, sha256: sha256(join(stage, path)) }));
    if (!exists) {
      writeFileAtomic(join(stage, RUN_MARKER), markerText(marked, dirs, opts.command));
      try {
        renameSync(stage, target);
      } catch (e) {
        throw new ChainruleError(`cannot move the finished run into ${out}: ${reason(e)}`);
      }
      stages.delete(stage);
      fsyncDir(dirname(target));
      return;
    }
    commitInPlace(out, target, stage, marked, dirs, opts);
  } finally {
    dropStage(stage);
  }
}

function commitInPlace(out: string, target: string, stage: string, marked: MarkedFile[], dirs: string[], opts: RunDirOptions): void {
  const marker = readMarker(target);
  const owned = ownedFiles(target, marker);
  const clash: string[] = [];
  for (const d of dirs) {
    const s = statOrNull(join(target, d), false);
    if (s && !s.isDirectory()) clash.push(d);
  }
  for (const f of marked) {
    const s = statOrNull(join(target, f.path), false);
    if (s && !owned.has(f.path)) clash.push(f.path);
  }
  if (clash.length) {
    throw new ChainruleError(
      `${opts.flag ?? '--out'} ${out}: the run would replace ${clash.slice(0, 3).join(', ')}${clash.length > 3 ? ', ...' : ''}, which chainrule did not write (or which changed since); nothing was replaced, move ${clash.length > 1 ? 'them' : 'it'} away or give another folder`,
    );
  }
  const newPaths = new Set(marked.map((f) => f.path));
  const stale = [...owned.values()].filter((f) => !newPaths.has(f.path));
  // the marker first lists old and new files, so a crash half-way leaves every file accounted for
  writeFileAtomic(join(target, RUN_MARKER), markerText([...stale, ...marked], [...new Set([...(marker?.dirs ?? []), ...dirs])], opts.command));
  for (const d of dirs) makeDirs(join(target, d));
  for (const f of marked) {
    try {
      renameSync(join(stage, f.path), join(target, f.path));
    } catch (e) {
      throw new ChainruleError(`cannot move ${f.path} into ${out}: ${reason(e)}`);
    }
  }
  for (const f of stale) {
    const p = join(target, f.path);
    // checked again just before: a file changed since the check above is the user's now
    if (statOrNull(p, false)?.size === f.bytes && sha256(p) === f.sha256) unlinkSync(p);
  }
  const oldDirs = (marker?.dirs ?? []).filter((d) => insideRel(d) && !dirs.includes(d));
  for (const d of oldDirs.sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(join(target, d)); // only ever an empty folder
    } catch {
      // not empty: it holds files chainrule did not write, which stay
    }
  }
  writeFileAtomic(join(target, RUN_MARKER), markerText(marked, dirs, opts.command));
  for (const d of ['', ...dirs]) fsyncDir(join(target, d));
}
