// Shared by the explain tests: run the CLI in a child process, so its output never mixes with
// the test reporter's.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function runCli(argv: string[]): { code: number; out: string; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '-e', "import('./src/cli/main.ts').then((m) => m.main(process.argv.slice(1))).then((c) => process.exit(c))", '--', ...argv],
    { cwd: root, encoding: 'utf8' },
  );
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, stderr: r.stderr };
}
