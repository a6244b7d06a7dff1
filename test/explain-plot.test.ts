import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linspace } from 'chainrule';
import { niceTicks, tickLabel } from '../src/explain/plot/plot-scene.js';
import { activationScene, parseActivation, parseActivations, plotActivations, sampleActivation, sampleActivations } from '../src/explain/plot/plot.js';
import { parseXml, xmlUnescape } from './explain-graph-xml.js';

const d = (spec: string, xs: number[]) => sampleActivation(parseActivation(spec), xs).dy;
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('activation derivatives come out of autograd', () => {
  it("relu' is 0 left of 0 (and at 0, PyTorch's convention) and 1 right of it", () => {
    assert.deepEqual(d('relu', [-3, -0.5, 0, 0.5, 3]), [0, 0, 0, 1, 1]);
  });

  it("sigmoid'(0) = 1/4, tanh'(0) = 1, gelu'(0) = gelu_tanh'(0) = softplus'(0) = silu'(0) = 1/2", () => {
    close(d('sigmoid', [0])[0], 0.25);
    close(d('tanh', [0])[0], 1);
    close(d('gelu', [0])[0], 0.5);
    close(d('gelu_tanh', [0])[0], 0.5);
    close(d('softplus:1', [0])[0], 0.5);
    close(d('silu', [0])[0], 0.5);
  });

  it('parameters reach the op: leaky slope, elu alpha, softplus beta', () => {
    assert.deepEqual(d('leaky_relu:0.01', [-2, 2]), [0.01, 1]);
    assert.deepEqual(d('leaky_relu:0.2', [-2]), [0.2]);
    close(d('elu:1', [-1])[0], Math.exp(-1));
    close(d('elu:2', [-1])[0], 2 * Math.exp(-1));
    // softplus_beta(x) = log(1 + e^(beta x))/beta, derivative sigmoid(beta x)
    close(d('softplus:2', [0.5])[0], 1 / (1 + Math.exp(-1)));
  });

  it("sign' and step' are 0 everywhere; sigmoid'(2) = s(1-s)", () => {
    assert.deepEqual(d('sign', [-1, 0, 1]), [0, 0, 0]);
    assert.deepEqual(d('step', [-1, 0, 1]), [0, 0, 0]);
    const s = 1 / (1 + Math.exp(-2));
    close(d('sigmoid', [2])[0], s * (1 - s));
  });

  it('agrees with central finite differences of the sampled values on a linspace', () => {
    for (const spec of ['gelu', 'softplus:1', 'elu:1', 'sigmoid', 'tanh', 'gelu_tanh', 'silu']) {
      const [s] = sampleActivations([parseActivation(spec)], [-4, 4], 801);
      const h = s.x[1] - s.x[0];
      for (let i = 1; i < s.x.length - 1; i += 37) {
        if (Math.abs(s.x[i]) < 2 * h) continue; // elu has a kink at 0
        close(s.dy[i], (s.y[i + 1] - s.y[i - 1]) / (2 * h), 1e-4);
      }
    }
  });

  it('samples a linspace tensor too', () => {
    const s = sampleActivation(parseActivation('relu'), linspace(-1, 1, 3));
    assert.deepEqual(s.x, [-1, 0, 1]);
    assert.deepEqual(s.y, [0, 0, 1]);
    assert.deepEqual(s.dy, [0, 0, 1]);
  });
});

describe('activation specs', () => {
  it('parses names, parameters and aliases', () => {
    assert.deepEqual(
      parseActivations('relu, leaky_relu:0.01,softplus:1,gelu').map((a) => a.spec),
      ['relu', 'leaky_relu:0.01', 'softplus:1', 'gelu'],
    );
    assert.equal(parseActivation('leaky_relu').title, 'LeakyReLU (slope = 0.01)');
    assert.equal(parseActivation('swish').spec, 'silu');
  });

  it('rejects unknown names and bad parameters with clear errors', () => {
    assert.throws(() => parseActivation('relu7'), /plot: unknown activation "relu7" \(known: relu, leaky_relu/);
    assert.throws(() => parseActivation('relu:2'), /relu takes no parameter/);
    assert.throws(() => parseActivation('elu:abc'), /parameter of elu must be a number/);
    assert.throws(() => parseActivation('softplus:0'), /softplus needs β > 0/);
    assert.throws(() => parseActivations(' , '), /no activation given/);
    assert.throws(() => sampleActivations([parseActivation('relu')], [2, 1]), /range must be two finite numbers lo < hi/);
  });
});

describe('ticks', () => {
  it('steps of 1, 2, 2.5 or 5 times a power of ten', () => {
    assert.deepEqual(niceTicks(-4, 4, 8), [-4, -3, -2, -1, 0, 1, 2, 3, 4]);
    assert.deepEqual(niceTicks(-4, 4, 4), [-4, -2, 0, 2, 4]);
    assert.deepEqual(niceTicks(-0.13, 1.13, 5), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(niceTicks(0, 0.001, 3), [0, 0.0005, 0.001]);
    assert.deepEqual(niceTicks(-1.2, 13.5, 6), [0, 2.5, 5, 7.5, 10, 12.5]);
    const t = niceTicks(-0.13, 1.13, 5);
    assert.deepEqual(t.map((v) => tickLabel(v, t)), ['0.00', '0.25', '0.50', '0.75', '1.00']);
    const u = niceTicks(-4, 4, 4);
    assert.deepEqual(u.map((v) => tickLabel(v, u)), ['−4', '−2', '0', '2', '4']);
  });
});

describe('plotActivations (SVG)', () => {
  it('one panel per function with f and its autograd derivative, well-formed XML', () => {
    const svg = plotActivations('relu,leaky_relu:0.01,softplus:1,gelu', { derivatives: true, range: [-4, 4] });
    const { tags, texts } = parseXml(svg);
    const words = texts.map(xmlUnescape);
    for (const t of ['ReLU', 'LeakyReLU (slope = 0.01)', 'Softplus (β = 1)', 'GELU', 'f(x)', 'f′(x) by autograd', '−4', '4']) {
      assert.ok(words.includes(t), `missing ${t}`);
    }
    // every panel shows f and f': one legend for all of them, under the title
    assert.equal(words.filter((w) => w === 'f(x)').length, 1);
    assert.equal(words.filter((w) => w === 'f(x), f′(x)').length, 4);
    // curves: relu' and leaky_relu' jump at 0 so each is drawn as two runs; the other six curves
    // are one run each; plus the shared legend's two samples
    assert.ok(tags.includes('polyline'));
    assert.equal(svg.match(/<polyline [^>]*stroke-width="2(\.2)?"/g)?.length, 2 + 2 + 6 + 2);
  });

  it('draws the sampled values at the right places: relu(4) = 4 at the top right corner of its panel', () => {
    const scene = activationScene('relu', { derivatives: false, samples: 401 });
    const curve = scene.shapes.find((s) => s.kind === 'line' && s.color === '#2563eb' && s.points.length === 401);
    assert.ok(curve && curve.kind === 'line');
    const [x0, y0] = curve.points[0];
    const [x2, y2] = curve.points[200];
    const [x4, y4] = curve.points[400];
    // relu(-4) = relu(0) = 0: same height; x evenly spaced; relu(4) = 4 is higher
    assert.equal(y0, y2);
    close(x2 - x0, x4 - x2, 1e-9);
    assert.ok(y4 < y2 - 100);
  });

  it('overlay layout: all functions in one panel, derivatives in a second', () => {
    const svg = plotActivations('sigmoid,tanh', { layout: 'overlay' });
    const words = parseXml(svg).texts.map(xmlUnescape);
    assert.ok(words.includes('Activation functions'));
    assert.ok(words.includes('Derivatives (autograd)'));
    assert.ok(words.includes('Sigmoid σ′'));
  });
});

describe('jumps are drawn with filled and open dots', () => {
  it("sign(0) = 0 is a filled dot, its limits ±1 open; relu'(0) = 0 filled, 1 open", () => {
    const scene = activationScene('sign,relu');
    const dots = scene.shapes.filter((s) => s.kind === 'circle');
    // sign: value 0 and limits -1, 1 (its derivative is 0 everywhere, no jump); relu: f continuous, f' jumps
    assert.equal(dots.length, 3 + 2);
    const filled = dots.filter((d) => d.kind === 'circle' && d.fill !== '#ffffff');
    assert.equal(filled.length, 2);
  });
});
