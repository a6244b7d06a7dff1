// Writes native/generated/ops.h: the op codes of the native elementwise kernels, taken from the
// op table (src/ops/table.ts, or dist/ops/table.js in an installed package) at build time, so the
// TypeScript and C sides name the same kernels in the same order and cannot drift. The addon also
// reports these names at load time, and the TypeScript side looks codes up by name.
// Usage: node scripts/native-ops.mjs [--print]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The unary and binary kernel names of the op table, in table order. */
export async function kernelNames() {
  let names;
  const src = join(root, 'src/ops/table.ts');
  if (existsSync(src)) {
    // a checkout: read the TypeScript table through tsx (a dev dependency, installed before this runs)
    const code = `const t = await import(${JSON.stringify(pathToFileURL(src).href)}); const k = t.tableKernels(); console.log(JSON.stringify({ unary: k.unary.map((x) => x.name), binary: k.binary.map((x) => x.name) }));`;
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CHAINRULE_SKIP_NATIVE: '1', CHAINRULE_NATIVE_ADDON: '/nonexistent' },
    });
    if (r.status !== 0) throw new Error(`native-ops: could not read the op table: ${r.stderr}`);
    names = JSON.parse(r.stdout.trim().split('\n').pop());
  } else {
    const t = await import(pathToFileURL(join(root, 'dist/ops/table.js')).href);
    const k = t.tableKernels();
    names = { unary: k.unary.map((x) => x.name), binary: k.binary.map((x) => x.name) };
  }
  for (const n of [...names.unary, ...names.binary]) if (!NAME.test(n)) throw new Error(`native-ops: kernel name ${n} is not a C identifier`);
  return names;
}

export function header(names) {
  const list = (xs) => xs.map((n) => ` \\\n  X(${n})`).join('');
  return `// Generated from the op table by scripts/native-ops.mjs at build time: do not edit.
#pragma once
#define CR_UNARY_KERNELS(X)${list(names.unary)}
#define CR_BINARY_KERNELS(X)${list(names.binary)}
`;
}

/** Writes the header (atomically; unchanged content is not rewritten). */
export async function writeHeader() {
  const text = header(await kernelNames());
  const out = join(root, 'native/generated/ops.h');
  if (existsSync(out) && readFileSync(out, 'utf8') === text) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--print')) process.stdout.write(header(await kernelNames()));
  else console.log(`wrote ${await writeHeader()}`);
}
