import { readFileSync } from 'node:fs';
import { ChainruleError } from '../../errors.js';
import { type Solution, solveProblem } from './evaluate.js';
import { type Problem, parseProblem } from '../problem/problem.js';

/**
 * Reads and parses a problem file (YAML). Throws ChainruleError naming file:line:col on bad input.
 * @example
 * ```ts
 * const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-problem-`);
 * writeFileSync(`${dir}/tiny.yaml`, 'title: Tiny\nparams: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\n');
 * loadProblem(`${dir}/tiny.yaml`).title // 'Tiny'
 * rmSync(dir, { recursive: true });
 * ```
 */
export function loadProblem(path: string): Problem {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ChainruleError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseProblem(text, path);
}

/**
 * Loads and evaluates a problem file: `{tensors, from, grads, ...}` with every tensor by name.
 * @example
 * ```ts
 * const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-problem-`);
 * writeFileSync(`${dir}/tiny.yaml`, 'title: Tiny\nparams: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\n');
 * solveFile(`${dir}/tiny.yaml`).grads.get('w')?.item() // 6
 * rmSync(dir, { recursive: true });
 * ```
 */
export function solveFile(path: string): Solution {
  return solveProblem(loadProblem(path));
}
