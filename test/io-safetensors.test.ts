import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ChainruleError, type Tensor, load, nn, save, tensor, zeros } from 'chainrule';
import { decodeSafetensors, encodeSafetensors, loadWithMetadata } from '../src/io/index.js';

const FIX = new URL('./fixtures/io/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', FIX), 'utf8'));
const reference = new Uint8Array(readFileSync(new URL('reference.safetensors', FIX)));
const ST_DTYPE: Record<string, string> = { F64: 'float64', F32: 'float32', I32: 'int32', BOOL: 'bool' };

function referenceTensors(): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(expected.reference) as [string, { shape: number[]; values: (number | boolean)[]; dtype: string }][]) {
    const dtype = ST_DTYPE[v.dtype] as 'float64';
    out[k] = tensor(v.values.map(Number), { dtype, shape: v.shape });
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'chainrule-io-'));

describe('safetensors format', () => {
  it('encodes byte-for-byte the reference file written from the spec with PyTorch data', () => {
    const bytes = encodeSafetensors(referenceTensors(), expected.metadata);
    assert.equal(bytes.length, reference.length);
    assert.deepEqual(Buffer.from(bytes), Buffer.from(reference));
  });

  it('header length is little-endian, padded with spaces to a multiple of 8', () => {
    const bytes = encodeSafetensors({ a: tensor([1, 2, 3]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.equal(text.trimEnd(), '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}');
    assert.match(text, /^\{.*\} *$/);
    assert.deepEqual([...new Float32Array(bytes.slice(8 + n).buffer)], [1, 2, 3]);
  });

  it('decodes the reference file: values, shapes, dtypes and metadata', () => {
    const { tensors, metadata } = decodeSafetensors(reference);
    assert.deepEqual(metadata, expected.metadata);
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.reference).sort());
    for (const [k, v] of Object.entries(expected.reference) as [string, { shape: number[]; values: (number | boolean)[]; dtype: string }][]) {
      const t = tensors[k];
      assert.deepEqual(t.shape, v.shape, k);
      assert.equal(t.dtype, ST_DTYPE[v.dtype], k);
      assert.deepEqual([...t.data], v.values.map(Number), k);
    }
  });

  it('converts I64 to int32 and F16 to float32 when reading', () => {
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(new URL('converted.safetensors', FIX))));
    assert.equal(tensors.labels.dtype, 'int32');
    assert.deepEqual([...tensors.labels.data], expected.converted.labels.values);
    assert.equal(tensors.half.dtype, 'float32');
    assert.deepEqual([...tensors.half.data], expected.converted.half.values);
  });

  it('matches the reference implementation on its documented edge cases (empty file, metadata only, forced padding)', () => {
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    const empty = encodeSafetensors({});
    assert.deepEqual([...empty.subarray(0, 8)], [8, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(text(empty.subarray(8)), '{}      ');
    const meta = encodeSafetensors({}, { framework: 'pt' });
    assert.equal(meta[0], 40);
    assert.equal(text(meta.subarray(8)), '{"__metadata__":{"framework":"pt"}}     ');
    const values = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const padded = encodeSafetensors({ attn0: tensor(values, { shape: [1, 1, 2, 3] }) });
    assert.equal(padded[0], 72);
    assert.equal(text(padded.subarray(8, 80)), `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}${' '.repeat(7)}`);
    assert.deepEqual([...new Float32Array(padded.slice(80).buffer)], [...values]);
    assert.deepEqual(decodeSafetensors(empty).tensors, {});
  });

  it('integer-like tensor names keep the reference order (dtype, then name)', () => {
    const bytes = encodeSafetensors({ b: tensor([1]), '0': tensor([2]), a: tensor([3], { dtype: 'float64' }) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
    assert.deepEqual([...text.matchAll(/"(\w+)":\{"dtype"/g)].map((m) => m[1]), ['a', '0', 'b']);
  });
});

describe('save / load files', () => {
  it('round-trips every dtype exactly', () => {
    const sd = referenceTensors();
    const p = join(tmp, 'rt.safetensors');
    save(sd, p, { metadata: { epoch: '3' } });
    const back = loadWithMetadata(p);
    assert.deepEqual(back.metadata, { epoch: '3' });
    for (const [k, t] of Object.entries(sd)) {
      assert.deepEqual([...back.tensors[k].data], [...t.data]);
      assert.equal(back.tensors[k].dtype, t.dtype);
    }
    assert.deepEqual([...load(p)['layers.0.weight'].data], [...sd['layers.0.weight'].data]);
  });

  it('writes atomically: no temporary files remain and a failed write keeps the old file', () => {
    const p = join(tmp, 'atomic.safetensors');
    save({ a: tensor([1, 2]) }, p);
    const before = readFileSync(p);
    assert.throws(() => save({ a: tensor([1]), b: 'nope' as unknown as Tensor }, p), /save: these entries are not Tensors: b/);
    assert.throws(() => save({ a: tensor([1]) }, join(tmp, 'no-such-dir', 'x.safetensors')), /save: cannot write .*no-such-dir.x\.safetensors: the folder .*no-such-dir does not exist/);
    assert.deepEqual(readFileSync(p), before);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('reports corrupt, truncated and malformed files clearly', () => {
    const good = encodeSafetensors({ w: tensor([1, 2, 3, 4], { dtype: 'float64' }), b: zeros([2]) });
    const write = (name: string, bytes: Uint8Array) => {
      const p = join(tmp, name);
      writeFileSync(p, bytes);
      return p;
    };
    assert.throws(() => load(join(tmp, 'missing.safetensors')), /load: no file at .*missing.safetensors/);
    assert.throws(() => load(write('tiny', good.subarray(0, 5))), /fewer than the 8-byte header length/);
    assert.throws(() => load(write('trunc-header', good.subarray(0, 20))), /only 12 follow the length field \(truncated file\?\)/);
    assert.throws(() => load(write('trunc-data', good.subarray(0, good.length - 3))), /need 40 data bytes but the file holds 37 \(truncated file\?\)/);
    const junk = new Uint8Array(16);
    new DataView(junk.buffer).setBigUint64(0, 2n ** 40n, true);
    assert.throws(() => load(write('huge', junk)), /header length field says 1099511627776 bytes/);
    const mk = (header: string, data = 0) => {
      const h = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + h.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return out;
    };
    assert.throws(() => load(write('badjson', mk('{"a":'))), /the header is not valid UTF-8 JSON/);
    assert.throws(() => load(write('array', mk('[1]'))), /the header is not a JSON object/);
    assert.throws(
      () => load(write('multi', mk('{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4))),
      (e: unknown) => e instanceof ChainruleError && /a: unknown dtype "Q8"/.test(e.message) && /b: \[2\] of F32 needs 8 bytes but data_offsets span 4/.test(e.message),
    );
    assert.throws(
      () => load(write('gap', mk('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8))),
      /a: data starts at byte 4, expected 0/,
    );
  });
});

describe('PyTorch interop', () => {
  it('a PyTorch nn.Sequential state dict loads into the same chainrule model and gives the same outputs', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const sd = load(fileURLToPath(new URL('torch-mlp.safetensors', FIX)));
    assert.deepEqual(Object.keys(sd).sort(), ['0.bias', '0.weight', '2.bias', '2.weight']);
    model.loadStateDict(sd);
    const out = model.forward(tensor(expected.mlp.input)).toArray() as number[][];
    out.forEach((row, i) => {
      row.forEach((v, j) => {
        assert.ok(Math.abs(v - expected.mlp.output[i][j]) < 1e-6, `${v} vs ${expected.mlp.output[i][j]}`);
      });
    });
  });

  it('a failed rename (the target is a directory) leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-io-dir-'));
    mkdirSync(join(dir, 'taken'));
    assert.throws(() => save({ a: tensor([1]) }, join(dir, 'taken')), /save: cannot write .*taken: it is a folder/);
    assert.deepEqual(readdirSync(dir), ['taken']);
  });
});
