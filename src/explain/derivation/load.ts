import { readFileSync } from 'node:fs';
import { ChainruleError } from '../../errors.js';
import { type Solution, solveProblem } from './evaluate.js';
import { type Problem, parseProblem } from '../problem/problem.js';

/**
 * Reads and parses a problem file (YAML). Throws ChainruleError naming file:line:col on bad input.
 * @example loadProblem('examples/problems/network-n.yaml').title // 'Network N'
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
 * @example solveFile('examples/problems/network-n.yaml').tensors.get('x8')?.item() // 0.000333...
 */
export function solveFile(path: string): Solution {
  return solveProblem(loadProblem(path));
}
