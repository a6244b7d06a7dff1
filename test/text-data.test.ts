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
    assert.throws(() => loadTable(file('q.csv', 'text,label\n"open,1\n'), { textCol: 'text', labelCol: 'label' }), /q\.csv:\d+: CSV parse error/);
    assert.throws(() => loadTable(join(dir, 'missing.csv'), { textCol: 'text', labelCol: 'label' }), /cannot read .*missing\.csv/);
  });
  it('warns about undecodable bytes and empty fields, naming the row', () => {
    const bytes = Buffer.concat([Buffer.from(csv), Buffer.from('"caf'), Buffer.from([0xe9]), Buffer.from('",neg\n"",pos\n')]);
    const ds = loadTable(file('latin.csv', bytes), { textCol: 'text', labelCol: 'label' });
    assert.deepEqual(
      ds.warnings.map((w) => w.slice(w.lastIndexOf('/') + 1)),
      ['latin.csv:7: invalid UTF-8 bytes replaced by U+FFFD', 'latin.csv:8: empty text; row skipped'],
    );
    assert.ok(ds.examples.some((e) => e.text === 'caf\ufffd'));
  });
});
