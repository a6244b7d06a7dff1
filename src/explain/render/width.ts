/**
 * An estimate of how wide a LaTeX formula of the kind the renderers write is, in em of the text
 * font: enough to decide where a long equation breaks (TeX and Markdown) and which steps a phone
 * screen needs to wrap. Matrices are measured column by column, fractions by their wider part,
 * scripts at 70%.
 */
const SYMBOL_EM: Record<string, number> = {
  cdot: 0.78,
  odot: 1.0,
  times: 1.0,
  leftarrow: 1.56,
  partial: 0.56,
  sigma: 0.57,
  eta: 0.5,
  delta: 0.45,
  top: 0.78,
  ',': 0.17,
  ';': 0.28,
  quad: 1,
  qquad: 2,
  log: 1.3,
  exp: 1.5,
  max: 1.7,
  sum: 1.44,
  geq: 1.33,
  leq: 1.33,
  cdots: 1.5,
};

function group(s: string, i: number): [string, number] {
  // s[i] === '{': the balanced group's content and the index after it
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return [s.slice(i + 1, j), j + 1];
  }
  return [s.slice(i + 1), s.length];
}

function matrixWidth(body: string): number {
  const rows = body.split(/\\\\\\\\/).map((r) => r.split('&').map((c) => texWidth(c)));
  const cols = Math.max(...rows.map((r) => r.length));
  let w = 0;
  for (let j = 0; j < cols; j++) w += Math.max(...rows.map((r) => r[j] ?? 0));
  return w + (cols - 1) * 1.0 + 1.0;
}

/** The estimated width of a LaTeX formula in em. @example texWidth('x_{1} + 2') // 2.73 */
export function texWidth(s: string): number {
  let w = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      const m = /^\\([A-Za-z]+|.)/.exec(s.slice(i));
      const cmd = m ? m[1] : '';
      i += (m?.[0].length ?? 1);
      if (cmd === 'begin') {
        const [env, j] = group(s, i);
        const end = s.indexOf(`\\end{${env}}`, j);
        const body = s.slice(j, end < 0 ? s.length : end);
        if (/matrix/.test(env)) w += matrixWidth(body);
        else if (env === 'cases') w += matrixWidth(body) + 0.5;
        else w += texWidth(body);
        i = end < 0 ? s.length : end + `\\end{${env}}`.length;
      } else if (cmd === 'frac') {
        const [a, j] = group(s, i);
        const [b, k] = group(s, j);
        w += Math.max(texWidth(a), texWidth(b)) + 0.3;
        i = k;
      } else if (['mathrm', 'operatorname', 'text', 'mathbf', 'mathbb', 'hat', 'bar', 'tilde', 'sqrt'].includes(cmd) && s[i] === '{') {
        const [a, j] = group(s, i);
        w += texWidth(a) + (cmd === 'operatorname' ? 0.3 : 0);
        i = j;
      } else if (cmd === 'left' || cmd === 'right') {
        w += 0.45;
        i += s[i] === '\\' ? 2 : 1;
      } else if (cmd === 'textstyle' || cmd === 'displaystyle') {
        // no width
      } else w += SYMBOL_EM[cmd] ?? 0.6;
    } else if (c === '_' || c === '^') {
      i++;
      if (s[i] === '{') {
        const [a, j] = group(s, i);
        w += 0.7 * texWidth(a);
        i = j;
      } else {
        w += 0.7 * 0.5;
        i++;
      }
    } else if (c === '{' || c === '}' || c === ' ' || c === '&') i++;
    else {
      w += /[=+<>]/.test(c) ? 1.33 : c === '-' ? 1.33 : /[.,]/.test(c) ? 0.28 : /[()[\]|]/.test(c) ? 0.39 : /[0-9]/.test(c) ? 0.5 : 0.55;
      i++;
    }
  }
  return w;
}
