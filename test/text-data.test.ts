import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitCounts } from '../src/text/corpus.js';
import { parseEmail } from '../src/text/email.js';
import { listSpamAssassin } from '../src/text/spamassassin.js';
import { md5Hex, splitOfChecksum } from '../src/text/split.js';
import { loadTable } from '../src/text/tabular.js';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-text-data-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

/** Texts whose MD5 puts them in the wanted split, so tiny files get all three splits. */
function textIn(split: 'train' | 'dev' | 'test', prefix: string): string {
  for (let i = 0; ; i++) {
    const t = `${prefix} ${i}`;
    if (splitOfChecksum(md5Hex(t)) === split) return t;
  }
}

describe('SpamAssassin corpus', () => {
  it('lists 6,046 messages, split 4,294 / 599 / 1,153 by the checksum rule', () => {
    const msgs = listSpamAssassin();
    assert.equal(msgs.length, 6046);
    const groups: Record<string, number> = {};
    for (const m of msgs) groups[m.group] = (groups[m.group] ?? 0) + 1;
    assert.deepEqual(groups, { 'easy-ham-1': 2500, 'easy-ham-2': 1400, 'hard-ham-1': 250, 'spam-1': 500, 'spam-2': 1396 });
    const ds = { examples: msgs.map((m) => ({ split: splitOfChecksum(m.checksum) })) };
    assert.deepEqual(splitCounts(ds as never), { train: 4294, dev: 599, test: 1153 });
  });
});

describe('parseEmail', () => {
  it('decodes quoted-printable, base64 and HTML-only bodies', async () => {
    const qp = await parseEmail(
      Buffer.from('Subject: =?utf-8?q?Caf=C3=A9?=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nna=C3=AFve =\nline\n'),
    );
    assert.equal(qp.subject, 'Café');
    assert.equal(qp.body.trim(), 'naïve line');
    const b64 = await parseEmail(
      Buffer.from(`Subject: x\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${Buffer.from('<p>Gr\xfc\xdfe <b>you</b></p>', 'latin1').toString('base64')}\n`),
    );
    assert.match(b64.body, /Grüße you/);
    const bad = await parseEmail(Buffer.concat([Buffer.from('Subject: bytes\nContent-Type: text/plain; charset=utf-8\n\nok '), Buffer.from([0xff, 0xfe]), Buffer.from(' end\n')]));
    assert.match(bad.body, /^ok .* end/);
    assert.match(bad.headers, /^Subject: bytes/);
  });
});

describe('loadTable', () => {
  const rows = [
    ['train', 'good', 'pos'],
    ['train', 'bad', 'neg'],
    ['dev', 'fine', 'pos'],
    ['dev', 'awful', 'neg'],
    ['test', 'great', 'pos'],
  ].map(([s, p, l]) => [textIn(s as 'train', p), l]);
  const csv = `text,label\n${rows.map(([t, l]) => `"${t}",${l}`).join('\n')}\n`;

  it('reads CSV and JSONL with the MD5 split rule', () => {
    const ds = loadTable(file('ok.csv', csv), { textCol: 'text', labelCol: 'label' });
    assert.deepEqual(ds.labels, ['neg', 'pos']);
    assert.deepEqual(splitCounts(ds), { train: 2, dev: 2, test: 1 });
    assert.equal(ds.examples[0].id.endsWith('ok.csv:2'), true);
    const jl = loadTable(file('ok.jsonl', rows.map(([t, l]) => JSON.stringify({ t, y: l })).join('\n')), { textCol: 't', labelCol: 'y', positive: 'pos' });
    assert.deepEqual(splitCounts(jl), { train: 2, dev: 2, test: 1 });
    assert.equal(jl.positive, 'pos');
  });
  it('honours a split column', () => {
    const ds = loadTable(file('s.csv', 'x,y,part\na,1,train\nb,2,train\nc,1,validation\nd,2,test\n'), { textCol: 'x', labelCol: 'y', splitCol: 'part' });
    assert.deepEqual(splitCounts(ds), { train: 2, dev: 1, test: 1 });
    assert.throws(
      () => loadTable(file('s2.csv', 'x,y,part\na,1,train\nb,2,later\n'), { textCol: 'x', labelCol: 'y', splitCol: 'part' }),
      /s2\.csv:3: split value "later" is not train, dev or test/,
    );
  });
  it('names the problem and the row on bad input', () => {
    assert.throws(() => loadTable(file('ok2.csv', csv), { textCol: 'body', labelCol: 'label' }), /ok2\.csv:1: no column "body" \(columns: "text", "label"\)/);
    assert.throws(() => loadTable(file('empty.csv', ''), { textCol: 'text', labelCol: 'label' }), /empty\.csv: the file is empty/);
    assert.throws(() => loadTable(file('header.csv', 'text,label\n'), { textCol: 'text', labelCol: 'label' }), /no data rows/);
    assert.throws(
      () => loadTable(file('one.csv', 'text,label\na,x\nb,x\n'), { textCol: 'text', labelCol: 'label' }),
      /one\.csv: needs at least two classes, found 1 \("x"\)/,
    );
    const onlyTest = `${csv}"${textIn('test', 'odd')}",weird\n`;
    assert.throws(
      () => loadTable(file('lt.csv', onlyTest), { textCol: 'text', labelCol: 'label' }),
      /label "weird" never occurs in the training split, only in .*lt\.csv:7 \(test\)/,
    );
    assert.throws(() => loadTable(file('bad.jsonl', '{"t": "a", "y": 1}\n{oops\n'), { textCol: 't', labelCol: 'y' }), /bad\.jsonl:2: not valid JSON/);
    // an unclosed quote is reported where it opens, not at the end of the file
    assert.throws(() => loadTable(file('q.csv', 'text,label\n"open,1\nb,2\nc,1\n'), { textCol: 'text', labelCol: 'label' }), /q\.csv:2:1: the quoted field opened here is never closed/);
    assert.throws(() => loadTable(file('q2.csv', 'text,label\nok,1\nsay "hi",2\n'), { textCol: 'text', labelCol: 'label' }), /q2\.csv:3:5: a quote inside an unquoted field/);
    assert.throws(() => loadTable(file('q3.csv', 'text,label\n"a"b,1\n'), { textCol: 'text', labelCol: 'label' }), /q3\.csv:2:4: unexpected "b" after a closing quote/);
    assert.throws(() => loadTable(file('n.csv', 'text,label\nok,1\na,b,c\n'), { textCol: 'text', labelCol: 'label' }), /n\.csv:3: 3 fields, but the header has 2/);
    assert.throws(() => loadTable(file('d.csv', 'text,text\na,b\n'), { textCol: 'text', labelCol: 'text' }), /d\.csv:1: the column "text" appears twice/);
    assert.throws(() => loadTable(join(dir, 'missing.csv'), { textCol: 'text', labelCol: 'label' }), /cannot read .*missing\.csv/);
  });
  it('warns about undecodable bytes and empty fields, naming the row', () => {
    const bytes = Buffer.concat([Buffer.from(csv), Buffer.from('"caf'), Buffer.from([0xe9]), Buffer.from('",neg\n"",pos\n')]);
    const ds = loadTable(file('latin.csv', bytes), { textCol: 'text', labelCol: 'label' });
    assert.deepEqual(
      ds.warnings.map((w) => w.replaceAll(dir, '<dir>')),
      [
        '<dir>/latin.csv:7:5: not valid UTF-8 (on 1 line); those bytes were replaced by U+FFFD. If the file is Latin-1 (or Windows-1252), re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8 <dir>/latin.csv > utf8-latin.csv',
        '<dir>/latin.csv:8: empty text; row skipped',
      ],
    );
    assert.ok(ds.examples.some((e) => e.text === 'caf\ufffd'));
  });

  it('warns once, not once per row, about a Latin-1 file', () => {
    const parts = ['train', 'train', 'dev', 'dev', 'test'];
    const latin1 = Buffer.from(`text,label,part\n${rows.map(([t, l], i) => `"${t} caf\xe9 na\xefve",${l},${parts[i]}`).join('\n')}\n`, 'latin1');
    const ds = loadTable(file('all-latin1.csv', latin1), { textCol: 'text', labelCol: 'label', splitCol: 'part' });
    assert.equal(ds.warnings.length, 1, ds.warnings.join('\n'));
    assert.match(ds.warnings[0], /all-latin1\.csv:2:\d+: not valid UTF-8 \(on 5 lines, the first here\).*re-encode it as UTF-8, e\.g\. iconv -f latin1 -t utf-8/);
    assert.equal(ds.examples.length, 5);
  });
});
