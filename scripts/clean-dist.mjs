// Empties dist/ before a build, so files of deleted or renamed sources do not linger in the
// package. dist/ is this build's own output (never a user's folder): only it is removed.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
if (existsSync(join(dist, 'index.js')) || existsSync(join(dist, 'cjs'))) rmSync(dist, { recursive: true, force: true });
