// The 2-d modules against PyTorch: the "layers" cases of test/fixtures/layers2d.json
// (scripts/fixtures/layers2d.py) replayed with their state dicts (outputs, input and parameter
// gradients), and their errors, which name the module's path and the shapes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChainruleError, F, type Tensor, nn, ones, randn } from 'chainrule';
import { type LayerCase, replayLayer } from './nn-helpers.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/layers2d.json', import.meta.url), 'utf8')) as { layers: LayerCase[] };
/** Throws a ChainruleError whose message matches re. */
function throwsMsg(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ChainruleError, `expected a ChainruleError, got ${e}`);
    assert.match(e.message, re);
    return true;
  });
}

const layer = (name: string): LayerCase => {
  const c = fixture.layers.find((l) => l.name === name);
  if (!c) throw new Error(`no layer case ${name}`);
  return c;
};

type Config = Record<string, unknown> & { in: number; out: number; k: number | [number, number] };

/** A module for a layer case, from its config (PyTorch's arguments, camel-cased). */
function moduleFor(c: LayerCase): { module: nn.Module; run: (x: Tensor) => Tensor } {
  const k = c.config as Config;
  const o = { ...k } as Record<string, unknown>;
  if (c.name.startsWith('conv2d')) {
    const m = new nn.Conv2d(k.in, k.out, k.k, o);
    return { module: m, run: (x) => m.forward(x) };
  }
  if (c.name.startsWith('conv1d')) {
    const m = new nn.Conv1d(k.in, k.out, k.k as number, o);
    return { module: m, run: (x) => m.forward(x) };
  }
  if (c.name.startsWith('convtranspose2d')) {
    const m = new nn.ConvTranspose2d(k.in, k.out, k.k, o);
    const size = k.outputSize as [number, number] | undefined;
    return { module: m, run: (x) => m.forward(x, size) };
  }
  if (c.name.startsWith('convtranspose1d')) {
    const m = new nn.ConvTranspose1d(k.in, k.out, k.k as number, o);
    return { module: m, run: (x) => m.forward(x) };
  }
  const eval_ = (m: nn.Module): nn.Module => (k.eval ? m.eval() : m);
  if (c.name.startsWith('batchnorm2d')) {
    const m = eval_(new nn.BatchNorm2d(o.numFeatures as number, o));
    return { module: m, run: (x) => (m as nn.BatchNorm2d).forward(x) };
  }
  if (c.name.startsWith('groupnorm')) {
    const m = new nn.GroupNorm(o.numGroups as number, o.numChannels as number, o);
    return { module: m, run: (x) => m.forward(x) };
  }
  if (c.name.startsWith('instancenorm2d')) {
    const m = eval_(new nn.InstanceNorm2d(o.numFeatures as number, o));
    return { module: m, run: (x) => (m as nn.InstanceNorm2d).forward(x) };
  }
  if (c.name.startsWith('instancenorm1d')) {
    const m = eval_(new nn.InstanceNorm1d(o.numFeatures as number, o));
    return { module: m, run: (x) => (m as nn.InstanceNorm1d).forward(x) };
  }
  if (c.name.startsWith('localresponsenorm')) {
    const m = new nn.LocalResponseNorm(o.size as number, o.alpha as number, o.beta as number, o.k as number);
    return { module: m, run: (x) => m.forward(x) };
  }
  throw new Error(`no module for ${c.name}`);
}

describe('2-d modules replay PyTorch (state dict, outputs, gradients)', () => {
  for (const c of fixture.layers) {
    it(c.name, () => {
      const { module, run } = moduleFor(c);
      module.to('float64');
      replayLayer(c, module, run);
    });
  }
  it('every case of the fixture has a module', () => {
    assert.ok(fixture.layers.length >= 21);
    for (const c of fixture.layers) assert.ok(moduleFor(c));
  });
  it('Conv2d names its state dict as PyTorch does', () => {
    assert.deepEqual(Object.keys(new nn.Conv2d(2, 3, 3).stateDict()), ['weight', 'bias']);
    assert.deepEqual(Object.keys(layer('conv2d-zeros').stateDict), ['weight', 'bias']);
    assert.deepEqual(new nn.ConvTranspose2d(4, 6, 3, { groups: 2 }).weight.shape, [4, 3, 3, 3]);
  });
});

describe('2-d modules: bad input names the module path and both shapes', () => {
  const throwsInput = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof nn.ModuleInputError, `expected a ModuleInputError, got ${e}`);
      assert.match((e as Error).message, re);
      return true;
    });
  it('Conv2d: channels, rank, too small an input', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.Conv2d(4, 8, 3, { padding: 1 }));
    throwsInput(() => model.forward(randn([2, 3, 8, 8])), /^model\.0 \(Conv2d 1->4, kernel 3x3\) expected \[N, 1, H, W\] or \[1, H, W\], got \[2, 3, 8, 8\]$/);
    throwsInput(() => model.forward(randn([8, 8])), /^model\.0 \(Conv2d 1->4, kernel 3x3\) expected \[N, 1, H, W\] or \[1, H, W\], got \[8, 8\]$/);
    throwsInput(() => model.forward(randn([2, 1, 2, 9])), /^model\.0 \(Conv2d 1->4, kernel 3x3\) input \[2, 1, 2, 9\] \(padded 2x9\) is smaller than the kernel 3x3$/);
  });
  it('MaxPool2d and AvgPool2d: too small an input, bad padding', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 1), new nn.MaxPool2d(3));
    throwsInput(() => model.forward(randn([1, 1, 2, 5])), /^model\.1 \(MaxPool2d 3\) input \[1,2,2,5\] is too small for the kernel 3x3 \(dilation 1x1, padding 0x0\): the output would be 0x1$/);
    throwsInput(() => new nn.AvgPool2d(2, { padding: 2 }).forward(randn([1, 1, 6, 6])), /\(AvgPool2d 2\) padding 2x2 must be at most half the kernel 2x2$/);
    throwsInput(() => new nn.AdaptiveAvgPool2d(2).forward(randn([3, 4])), /expected \[N, C, H, W\] or \[C, H, W\], got \[3, 4\]/);
  });
  it('ConvTranspose2d: channels and an unreachable output size', () => {
    const m = new nn.ConvTranspose2d(2, 3, 3, { stride: 2 });
    throwsInput(() => m.forward(randn([1, 3, 4, 4])), /^model \(ConvTranspose2d 2->3, kernel 3x3\) expected \[N, 2, H, W\] or \[2, H, W\], got \[1, 3, 4, 4\]$/);
    throwsMsg(() => m.forward(randn([1, 2, 4, 4]), [11, 9]), /^model \(ConvTranspose2d 2->3, kernel 3x3\) requested an output size of \[11, 9\], but the input gives sizes from 9 to 10 in dim 0$/);
    assert.deepEqual(m.forward(randn([1, 2, 4, 4]), [10, 9]).shape, [1, 3, 10, 9]);
  });
  it('constructors reject bad options', () => {
    throwsMsg(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /^Conv2d: inChannels 3 and outChannels 4 must be divisible by groups 2$/);
    throwsMsg(() => new nn.Conv2d(2, 4, 3, { padding: 'same', stride: 2 }), /^Conv2d: padding 'same' needs stride 1, got stride 2x2$/);
    throwsMsg(() => new nn.Conv2d(2, 4, 3, { paddingMode: 'mirror' as 'reflect' }), /^Conv2d: paddingMode must be one of zeros, reflect, replicate, circular, got "mirror"$/);
    throwsMsg(() => new nn.Conv1d(2, 4, 3, { paddingMode: 'edge' as 'reflect' }), /^Conv1d: paddingMode must be one of zeros, reflect, replicate, circular, got "edge"$/);
    throwsMsg(() => new nn.Conv2d(2, 4, [3, 0]), /^Conv2d: kernelSize must be an integer >= 1 or \[height, width\], got \[3,0\]$/);
    throwsMsg(() => new nn.ConvTranspose2d(2, 4, 3, { outputPadding: 2, stride: 2 }), /^ConvTranspose2d: outputPadding 2x2 must be smaller than the stride 2x2 or the dilation 1x1$/);
    throwsMsg(() => new nn.ConvTranspose1d(2, 4, 3, { outputPadding: 1 }), /^ConvTranspose1d: outputPadding 1 must be smaller than the stride 1 or the dilation 1$/);
  });
  it('reflect padding wider than the input is an error naming the module', () => {
    const m = new nn.Conv2d(1, 1, 5, { padding: 3, paddingMode: 'reflect' });
    throwsMsg(() => m.forward(randn([1, 1, 3, 3])), /^model \(Conv2d 1->1, kernel 5x5\): reflect padding 3, 3 must be smaller than the padded dim 3 of \[1, 1, 3, 3\]$/);
  });
  it('F.conv2d and the pools: the op and the shapes in the message', () => {
    const x = randn([2, 3, 5, 5]);
    throwsMsg(() => F.conv2d(x, randn([4, 2, 3, 3])), /^conv2d: weight \[4, 2, 3, 3\] with groups=1 expects 2 input channels, got input \[2, 3, 5, 5\]$/);
    throwsMsg(() => F.conv2d(x, randn([4, 3, 3, 3]), randn([3])), /^conv2d: bias must be \[4\], got \[3\]$/);
    throwsMsg(() => F.maxPool2d(x, 2, { stride: 0 }), /^maxPool2d: stride must be an integer >= 1, got 0$/);
    throwsMsg(() => F.avgPool2d(x, 2, { divisorOverride: 0 }), /^avgPool2d: divisorOverride must be a nonzero integer, got 0$/);
    throwsMsg(() => F.avgPool2d(x, 2, { dilation: 2 } as never), /^avgPool2d: average pooling has no dilation$/);
    throwsMsg(() => F.maxPool2d(x.to('int32'), 2), /^maxPool2d: needs a float input, got int32$/);
    throwsMsg(() => F.convTranspose2d(x, randn([2, 2, 3, 3])), /^convTranspose2d: weight \[2, 2, 3, 3\] expects 2 input channels, got input \[2, 3, 5, 5\]$/);
  });
  it('unbatched inputs give unbatched outputs', () => {
    assert.deepEqual(new nn.Conv2d(3, 2, 3, { padding: 'same' }).forward(ones([3, 5, 4])).shape, [2, 5, 4]);
    assert.deepEqual(new nn.MaxPool2d(2).forward(ones([3, 5, 4])).shape, [3, 2, 2]);
    assert.deepEqual(new nn.ConvTranspose1d(3, 2, 2, { stride: 2 }).forward(ones([3, 5])).shape, [2, 10]);
  });
  it('MaxPool2d with returnIndices returns values and positions', () => {
    const [v, i] = new nn.MaxPool2d(2, { returnIndices: true }).forward(ones([1, 1, 4, 4]));
    assert.deepEqual(v.shape, [1, 1, 2, 2]);
    assert.deepEqual(Array.from(i.data), [0, 2, 8, 10]);
  });
});

describe('resampling, fold and container modules', () => {
  it('Upsample, PixelShuffle/Unshuffle, Unfold/Fold and Unflatten are their F functions', () => {
    const x = randn([2, 8, 3, 4], { dtype: 'float64' });
    const same = (a: Tensor, b: Tensor) => assert.deepEqual(a.toArray(), b.toArray());
    same(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }).forward(x), F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }));
    same(new nn.PixelShuffle(2).forward(x), F.pixelShuffle(x, 2));
    same(new nn.PixelUnshuffle(2).forward(new nn.PixelShuffle(2).forward(x)), x);
    same(new nn.Fold([3, 4], 2, { padding: 1 }).forward(new nn.Unfold(2, { padding: 1 }).forward(x)), F.fold(F.unfold(x, 2, { padding: 1 }), [3, 4], 2, { padding: 1 }));
    assert.deepEqual(new nn.Unflatten(1, [2, -1]).forward(x).shape, [2, 2, 4, 3, 4]);
    assert.deepEqual(new nn.Unflatten(-1, [2, 2]).forward(x).shape, [2, 8, 3, 2, 2]);
  });
  it('fold of unfold multiplies each pixel by the number of blocks covering it', () => {
    const y = F.fold(F.unfold(ones([1, 1, 3, 3]), 2), [3, 3], 2);
    assert.deepEqual(y.toArray(), [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
  });
  it('their errors name the module and the shapes', () => {
    throwsMsg(() => new nn.PixelShuffle(2).forward(randn([1, 6, 2, 2])), /^model \(PixelShuffle\) 6 channels of input \[1, 6, 2, 2\] are not divisible by the factor squared \(4\) \(input \[1, 6, 2, 2\]\)$/);
    throwsMsg(() => new nn.Upsample({ size: [4, 4], mode: 'linear' }).forward(randn([1, 2, 3, 3])), /^model \(Upsample\) mode linear needs input \[N, C, L\], got \[1, 2, 3, 3\]/);
    throwsMsg(() => F.interpolate(randn([1, 2, 3, 3]), { size: 4, scaleFactor: 2 }), /^interpolate: give exactly one of size and scaleFactor$/);
    throwsMsg(() => F.interpolate(randn([1, 2, 3, 3]), { size: 4, alignCorners: true }), /^interpolate: alignCorners is for the modes linear and bilinear, not nearest$/);
    throwsMsg(() => F.interpolate(randn([1, 2, 3, 3]), { size: 4, mode: 'bicubic' as 'bilinear' }), /^interpolate: mode must be one of nearest, nearest-exact, linear, bilinear, area, got "bicubic"$/);
    throwsMsg(() => new nn.Fold([4, 4], 2).forward(randn([1, 8, 10])), /has 10 blocks, but a 4x4 output holds 3x3 = 9/);
    throwsMsg(() => new nn.Unflatten(1, [3, 3]).forward(randn([2, 8])), /^model \(Unflatten\) cannot unflatten dim 1 of size 8 of \[2, 8\] into \[3, 3\]$/);
    throwsMsg(() => new nn.Unfold(4).forward(randn([1, 1, 3, 3])), /a 3x3 input \(padding 0x0\) holds no 4x4 block/);
  });
  it('ParameterList and ParameterDict register their parameters under PyTorch names', () => {
    class Net extends nn.Module {
      scales = new nn.ParameterList([new nn.Parameter(ones([2])), new nn.Parameter(ones([3]))]);
      extra = new nn.ParameterDict({ shift: new nn.Parameter(ones([1])) });
      forward(x: Tensor): Tensor {
        return x.mul(this.scales.at(0)).add(this.extra.get('shift'));
      }
    }
    const net = new Net();
    assert.deepEqual(
      net.namedParameters().map(([n]) => n),
      ['scales.0', 'scales.1', 'extra.shift'],
    );
    assert.deepEqual(Object.keys(net.stateDict()), ['scales.0', 'scales.1', 'extra.shift']);
    net.scales.append(new nn.Parameter(ones([4])));
    assert.equal(net.parameters().length, 4);
    assert.equal(net.scales.at(-1).shape[0], 4);
    throwsMsg(() => net.scales.at(5), /^ParameterList: index 5 is out of range for 3 parameters$/);
    throwsMsg(() => new nn.ParameterList([ones([2]) as nn.Parameter]), /^ParameterList: item 0 is not a Parameter$/);
    throwsMsg(() => net.extra.get('bias'), /^ParameterDict: no parameter named "bias" \(have shift\)$/);
    throwsMsg(() => net.extra.set('a.b', new nn.Parameter(ones([1]))), /must be non-empty and contain no "\."/);
  });
});
