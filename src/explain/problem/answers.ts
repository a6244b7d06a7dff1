import { isMap, isScalar, isSeq, type Node as YamlNode, parseDocument } from 'yaml';
import { ChainruleError } from '../../errors.js';
import { lineCol, pointAt } from './problem.js';

/** The sections of an answers file: forward values, gradients, updated params, values after the step. @example parseAnswers('grads:\n  w: 0.0049\n')[0].section // 'grads' */
export type Section = 'values' | 'grads' | 'updated' | 'after';
/** Every Section, in the order an answers file lists them. */
export const SECTIONS: readonly Section[] = ['values', 'grads', 'updated', 'after'];

/** A claimed number as written (its text sets the precision claimed) or nested lists of them. @example (parseAnswers('values:\n  y: 0.9975\n')[0].value as { text: string }).text // '0.9975' */
export type ClaimValue =
  | {
      /** the number as written (`0.9975`): its significant digits are the precision claimed */
      text: string;
      /** the number it reads as */
      value: number;
    }
  | ClaimValue[];

/**
 * One claimed answer: `grads.a: 0.0020032`. A single number claimed for a matrix claims every element.
 * @example const [c] = claimsFromObject({ grads: { w: '0.0049' } }); [c.section, c.name] // ['grads', 'w']
 */
export interface Claim {
  /** which section of the answers it is in */
  section: Section;
  /** the name claimed */
  name: string;
  /** the number(s) as written */
  value: ClaimValue;
  /** 1-based line in the answers file */
  line?: number;
}

function claimValue(node: YamlNode | null, text: string, file: string, where: string): ClaimValue {
  if (node && isScalar(node) && typeof node.value === 'number' && node.range) {
    const src = text.slice(node.range[0], node.range[1]).trim();
    if (!Number.isFinite(node.value)) throw new ChainruleError(`${file}:${lineCol(text, node.range[0]).line}: ${where} is not a finite number`);
    return { text: src, value: node.value };
  }
  if (node && isSeq(node)) {
    if (node.items.length === 0) throw new ChainruleError(`${file}: ${where} is an empty list`);
    return node.items.map((x, i) => claimValue(x as YamlNode, text, file, `${where}[${i}]`));
  }
  const off = node?.range?.[0] ?? 0;
  throw new ChainruleError(pointAt(file, text, off, `${where}: expected a number or a nested list of numbers`).split('\n')[0]);
}

/**
 * Reads an answers file: sections values/grads/updated/after of `name: number | nested list`.
 * Each number keeps the text it was written with (0.0020032 claims five significant digits).
 *
 * @example parseAnswers('updated:\n  a: 2.9997997\n')[0].value // { text: '2.9997997', value: 2.9997997 }
 */
export function parseAnswers(text: string, file = '<answers>'): Claim[] {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new ChainruleError(pointAt(file, text, err.pos[0], `YAML error: ${err.message.split('\n')[0]}`));
  }
  const root = doc.contents;
  if (root == null) return [];
  if (!isMap(root)) throw new ChainruleError(`${file}: an answers file is a mapping with sections ${SECTIONS.join(', ')}`);
  const claims: Claim[] = [];
  for (const pair of root.items) {
    const sec = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!(SECTIONS as readonly string[]).includes(sec)) throw new ChainruleError(`${file}: unknown section "${sec}" (sections: ${SECTIONS.join(', ')})`);
    const body = pair.value as YamlNode | null;
    if (body == null || (isScalar(body) && body.value === null)) continue;
    if (!isMap(body)) throw new ChainruleError(`${file}: ${sec}: expected a mapping of name: number`);
    for (const item of body.items) {
      const name = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const off = isScalar(item.key) && item.key.range ? item.key.range[0] : 0;
      claims.push({
        section: sec as Section,
        name,
        value: claimValue(item.value as YamlNode | null, text, file, `${sec}.${name}`),
        line: lineCol(text, off).line,
      });
    }
  }
  return claims;
}

/**
 * Claims from plain numbers (the library form): a number claims the precision of its shortest
 * printed form; a numeric string keeps the digits written.
 * @example claimsFromObject({ updated: { a: '2.9997997' } })[0].name // 'a'
 */
export function claimsFromObject(obj: Partial<Record<Section, Record<string, unknown>>>): Claim[] {
  const conv = (v: unknown, where: string): ClaimValue => {
    if (typeof v === 'number' && Number.isFinite(v)) return { text: String(v), value: v };
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return { text: v.trim(), value: Number(v) };
    if (Array.isArray(v) && v.length > 0) return v.map((x, i) => conv(x, `${where}[${i}]`));
    throw new ChainruleError(`checkAnswers: ${where} must be a number, a numeric string or a nested list`);
  };
  const out: Claim[] = [];
  for (const [sec, body] of Object.entries(obj)) {
    if (!(SECTIONS as readonly string[]).includes(sec)) throw new ChainruleError(`checkAnswers: unknown section "${sec}" (${SECTIONS.join(', ')})`);
    for (const [name, v] of Object.entries(body ?? {})) out.push({ section: sec as Section, name, value: conv(v, `${sec}.${name}`) });
  }
  return out;
}
