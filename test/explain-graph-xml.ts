// A small XML well-formedness checker for the SVG tests (node has no XML parser built in).

/** Element names in document order; throws with the offset when the text is not well-formed XML. */
export function parseXml(text: string): { tags: string[]; texts: string[] } {
  const tags: string[] = [];
  const texts: string[] = [];
  const open: string[] = [];
  let i = 0;
  let roots = 0;
  const fail = (msg: string): never => {
    throw new Error(`XML error at ${i}: ${msg} near ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  const checkText = (s: string): void => {
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) fail('bare &');
    if (s.includes('<')) fail('bare <');
  };
  while (i < text.length) {
    if (text.startsWith('<?', i)) {
      const e = text.indexOf('?>', i);
      if (e < 0) fail('unterminated processing instruction');
      i = e + 2;
    } else if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i);
      if (e < 0) fail('unterminated comment');
      i = e + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const e = text.indexOf(']]>', i);
      if (e < 0) fail('unterminated CDATA');
      i = e + 3;
    } else if (text.startsWith('<!', i)) {
      const e = text.indexOf('>', i);
      if (e < 0) fail('unterminated declaration');
      i = e + 1;
    } else if (text.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w:.-]*)\s*>/.exec(text.slice(i));
      if (!m) fail('bad closing tag');
      const want = open.pop();
      if (want !== m![1]) fail(`closing </${m![1]}> but <${want}> is open`);
      i += m![0].length;
    } else if (text[i] === '<') {
      const m = /^<([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(text.slice(i));
      if (!m) fail('bad opening tag');
      const attrs = m![2];
      const names = [...attrs.matchAll(/([A-Za-z_][\w:.-]*)\s*=/g)].map((a) => a[1]);
      if (new Set(names).size !== names.length) fail('duplicate attribute');
      for (const a of attrs.matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) checkText(a[1] ?? a[2]);
      if (open.length === 0) roots++;
      tags.push(m![1]);
      if (!m![3]) open.push(m![1]);
      i += m![0].length;
    } else {
      const e = text.indexOf('<', i);
      const chunk = text.slice(i, e < 0 ? text.length : e);
      checkText(chunk);
      if (open.length === 0 && chunk.trim()) fail('text outside the root element');
      if (chunk.trim()) texts.push(chunk.trim());
      i = e < 0 ? text.length : e;
    }
  }
  if (open.length) throw new Error(`XML error: unclosed <${open.join('>, <')}>`);
  if (roots !== 1) throw new Error(`XML error: ${roots} root elements`);
  return { tags, texts };
}

/** Decodes the five predefined entities and numeric character references. */
export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e]!;
  });
}
