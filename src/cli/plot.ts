import { ChainruleError } from '../errors.js';
import { activationScene } from '../explain/plot/plot.js';
import { rasterizeScene } from '../explain/plot/plot-raster.js';
import { sceneToSvg } from '../explain/plot/plot-svg.js';
import { encodePng, svgToPng } from '../explain/plot/png.js';
import { choiceOption, intOption, numberOption } from './args.js';
import type { Command } from './command.js';
import { formatOfPath, writeOutput } from './output.js';

function parseRange(raw: string | undefined): [number, number] {
  if (raw === undefined) return [-4, 4];
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || parts.some((s) => s === '') || !nums.every(Number.isFinite) || !(nums[0] < nums[1])) {
    throw new ChainruleError(`--range must be LO,HI with LO < HI (got ${JSON.stringify(raw)})`);
  }
  return [nums[0], nums[1]];
}

export const plot: Command = {
  name: 'plot',
  summary: 'plot activation functions and their autograd derivatives to SVG or PNG',
  help: `usage: chainrule plot activations SPECS [--derivatives | --no-derivatives] [--range LO,HI] -o FILE.svg|FILE.png

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
  --builtin-raster draw the PNG with the built-in rasteriser (bitmap font) instead of resvg
                   (@resvg/resvg-js, an optional dependency, is used when installed: real fonts)
  -o, --output F   the file to write (atomically); .svg or .png`,
  options: {
    range: { type: 'string' },
    samples: { type: 'string' },
    layout: { type: 'string' },
    title: { type: 'string' },
    width: { type: 'string' },
    scale: { type: 'string' },
    output: { type: 'string', short: 'o' },
    derivatives: { type: 'boolean' },
    'no-derivatives': { type: 'boolean' },
    'builtin-raster': { type: 'boolean' },
  },
  run: async (args) => {
    const [what, specs, ...rest] = args.positional;
    if (what !== 'activations') throw new ChainruleError(`expected "plot activations SPECS", got ${JSON.stringify(what ?? '')} (chainrule plot --help)`);
    if (!specs || rest.length) throw new ChainruleError('give the activations as one comma-separated list, e.g. relu,gelu (chainrule plot --help)');
    const out = args.values.get('output');
    if (!out) throw new ChainruleError('-o FILE.svg or -o FILE.png is required');
    const png = formatOfPath(out, { svg: false, png: true }, false);
    if (args.switches.has('derivatives') && args.switches.has('no-derivatives')) throw new ChainruleError('--derivatives and --no-derivatives contradict each other');
    const scene = activationScene(specs, {
      derivatives: !args.switches.has('no-derivatives'),
      range: parseRange(args.values.get('range')),
      samples: intOption(args, 'samples', 401, 2, 100000),
      width: numberOption(args, 'width', 960, (v) => v >= 200 && v <= 10000, 'a width from 200 to 10000'),
      layout: choiceOption(args, 'layout', ['panels', 'overlay'], 'panels'),
      title: args.values.get('title'),
    });
    const scale = numberOption(args, 'scale', 2, (v) => v > 0 && v <= 8, 'a number in (0, 8]');
    const svg = sceneToSvg(scene, args.values.get('title') ?? 'Activation functions and their derivatives');
    let data: string | Uint8Array = svg;
    if (png) {
      // the SVG rasterised with real fonts by resvg; without it, the built-in rasteriser and its bitmap font
      const viaResvg = args.switches.has('builtin-raster') ? null : await svgToPng(svg, scale);
      if (!viaResvg && !args.switches.has('builtin-raster')) console.error('note: @resvg/resvg-js is not installed (npm install @resvg/resvg-js): the PNG uses the built-in bitmap font');
      data = viaResvg ?? encodePng(rasterizeScene(scene, scale));
    }
    writeOutput(out, data);
    console.log(`wrote ${out}`);
    return 0;
  },
};
