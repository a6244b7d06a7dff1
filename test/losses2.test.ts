// The op-table losses (test/losses2-table.ts) against PyTorch 1.13 on every backend. CTC has no
// double backward (PyTorch has none either), so its cases check values, gradients, gradcheck and
// float32.
import { onEveryBackend } from './backends.js';
import { CTC_TABLE, LOSSES_TABLE } from './losses2-table.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';

onEveryBackend('losses', (backend) => {
  runOpTable(backend, 1e-10, LOSSES_TABLE);
  runOpTableFloat32(backend, LOSSES_TABLE);
  runDoubleBackward(backend, LOSSES_TABLE);
  runOpTable(backend, 1e-10, CTC_TABLE);
  runOpTableFloat32(backend, CTC_TABLE);
});
