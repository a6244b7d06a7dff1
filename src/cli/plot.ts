import { writeFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { activationScene } from '../explain/plot.js';
import { rasterizeScene } from '../explain/plot-raster.js';
import { sceneToSvg } from '../explain/plot-svg.js';
import { encodePng } from '../explain/png.js';
import { numberFlag, parseFlags } from './graph-args.js';
import { register } from './main.js';

const HELP = `usage: chainrule plot activations SPECS [--derivatives | --no-derivatives] [--range LO,HI] -o FILE.svg|FILE.png

Plots activation functions and their derivatives; each derivative is computed by the autograd
engine (one backward pass of sum(f(x)) over the sampled points), not by a hand-written formula.
  SPECS            comma-separated: relu, leaky_relu:SLOPE, elu:ALPHA, softplus:BETA, gelu, gelu_tanh,
                   sigmoid, tanh, silu, sign, step  (e.g. relu,leaky_relu:0.01,softplus:1,gelu)
  --derivatives    draw f'(x) too (the default); --no-derivatives draws only f(x)
  --range LO,HI    x range (default -4,4)
  --samples N      points per curve (default 401)
  --layout L       panels (default: one panel per function) or overlay (all in one, derivatives in a second)
  --title T        title above the panels
  --width PX       width in CSS pixels (default 960)
  --scale S        PNG pixels per CSS pixel (default 2)
  -o, --output F   the file to write; .svg or .png`;

function parseRange(raw: string | undefined): [number, number] {
  if (raw === undefined) return [-4, 4];
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || parts.some((s) => s === '') || !nums.every(Number.isFinite) || !(nums[0] < nums[1])) {
    throw new ChainruleError(`--range must be LO,HI with LO < HI (got ${JSON.stringify(raw)})`);
  }
  return [nums[0], nums[1]];
}

function unprefixed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ChainruleError) throw new ChainruleError(e.message.replace(/^plot: /, ''));
    throw e;
  }
}

register('plot', {
  summary: 'plot activation functions and their autograd derivatives to SVG or PNG',
  run: (argv) => {
    const f = parseFlags(
      argv,
      {
        values: ['range', 'samples', 'layout', 'title', 'width', 'scale', 'output'],
        switches: ['derivatives', 'no-derivatives', 'help'],
        aliases: { o: 'output', h: 'help' },
      },
      'plot',
    );
    if (f.switches.has('help')) {
      console.log(HELP);
      return 0;
    }
    const [what, specs, ...rest] = f.positional;
    if (what !== 'activations') throw new ChainruleError(`expected "plot activations SPECS" (got ${JSON.stringify(what ?? '')})\n\n${HELP}`);
    if (!specs || rest.length) throw new ChainruleError(`give the activations as one comma-separated list, e.g. relu,gelu\n\n${HELP}`);
    const out = f.values.get('output');
    if (!out) throw new ChainruleError('-o FILE.svg or -o FILE.png is required');
    const png = /\.png$/i.test(out);
    if (!png && !/\.svg$/i.test(out)) throw new ChainruleError(`the output must end in .svg or .png (got ${JSON.stringify(out)})`);
    if (f.switches.has('derivatives') && f.switches.has('no-derivatives')) throw new ChainruleError('--derivatives and --no-derivatives contradict each other');
    const layout = f.values.get('layout') ?? 'panels';
    if (layout !== 'panels' && layout !== 'overlay') throw new ChainruleError(`--layout must be panels or overlay (got ${JSON.stringify(layout)})`);
    // the library's messages start with "plot: "; main already names the command
    const scene = unprefixed(() =>
      activationScene(specs, {
        derivatives: !f.switches.has('no-derivatives'),
        range: parseRange(f.values.get('range')),
        samples: numberFlag(f, 'samples', 401, 'plot', (v) => Number.isInteger(v) && v >= 2 && v <= 100000, 'an integer from 2 to 100000'),
        width: numberFlag(f, 'width', 960, 'plot', (v) => v >= 200 && v <= 10000, 'a width from 200 to 10000'),
        layout,
        title: f.values.get('title'),
      }),
    );
    const scale = numberFlag(f, 'scale', 2, 'plot', (v) => v > 0 && v <= 8, 'a number in (0, 8]');
    const data = png ? encodePng(rasterizeScene(scene, scale)) : sceneToSvg(scene, f.values.get('title') ?? 'Activation functions and their derivatives');
    writeFileSync(out, data);
    console.log(`wrote ${out}`);
    return 0;
  },
});
