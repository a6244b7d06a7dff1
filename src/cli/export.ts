import { ChainruleError } from '../errors.js';
import { exportTextRun } from '../text/onnx.js';
import { exportTextRunPytorch } from '../text/pytorch.js';
import { intOption } from './args.js';
import type { Command } from './command.js';

/** `chainrule export RUN --onnx FILE` / `--pytorch DIR`: a trained textclf run as an ONNX model or a PyTorch module. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export a textclf run folder as an ONNX model (ids or features in, logits and probabilities out) or a PyTorch module',
  help: `usage: chainrule export RUN --onnx FILE [--opset N]
       chainrule export RUN --pytorch DIR

Writes the model of a run folder (chainrule textclf train --out RUN, or a model sub-folder of
textclf compare) as an ONNX file, and FILE.json beside it: the label names, the tokenizer and the
vocabulary (cnn, bigru, bilstm, transformer) or the vectorizer (logreg, mlp, fasttext) that turn texts into the
graph's input. Both files are written atomically.
  --onnx FILE   the .onnx file to write
  --opset N     the ONNX opset, 13 to 17 (default 17)
  --pytorch DIR write DIR/model.py (a torch nn.Module with the same parameter names and forward,
                and load(DIR)) and DIR/model.safetensors (the weights) into an existing folder

The graph's input is ids [batch, time] int64 (token ids, right-padded with 0) for the sequence
models, or features [batch, F] float32 (the vectorizer's rows) for the others; its outputs are
logits and probabilities [batch, classes]. Batch and time are free.

Running it with onnxruntime-node: set onnxruntime-node-install=skip in your .npmrc so that its
install script downloads nothing from outside the npm registry (the CPU binaries are in the
package).`,
  options: { onnx: { type: 'string' }, opset: { type: 'string' }, pytorch: { type: 'string' } },
  run: async (args) => {
    const [dir, ...rest] = args.positional;
    if (!dir) throw new ChainruleError('give the run folder, e.g. chainrule export runs/cnn --onnx cnn.onnx (chainrule export --help)');
    if (rest.length) throw new ChainruleError(`unexpected argument ${JSON.stringify(rest[0])} (chainrule export --help)`);
    const file = args.values.get('onnx');
    const torchDir = args.values.get('pytorch');
    if (file && torchDir) throw new ChainruleError('give one of --onnx FILE and --pytorch DIR (chainrule export --help)');
    if (torchDir) {
      console.log(`wrote ${exportTextRunPytorch(dir, torchDir).join(' and ')}`);
      return 0;
    }
    if (!file) throw new ChainruleError('--onnx FILE or --pytorch DIR is required (chainrule export --help)');
    const opset = intOption(args, 'opset', 17, 13, 17);
    const written = await exportTextRun(dir, file, { opset });
    console.log(`wrote ${written.join(' and ')}`);
    return 0;
  },
};
