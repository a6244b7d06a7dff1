// Shared by the CLI tests: run the CLI (from src, through tsx) in a child process, so its output
// never mixes with the test reporter's, in any working folder and environment.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const mainUrl = pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href;

export function runCli(
  argv: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): { code: number; out: string; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', tsx, '-e', `import(${JSON.stringify(mainUrl)}).then((m) => m.main(process.argv.slice(1))).then((c) => process.exit(c))`, '--', ...argv],
    { cwd: opts.cwd ?? root, encoding: 'utf8', env: { ...process.env, ...opts.env } },
  );
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, stderr: r.stderr };
}
