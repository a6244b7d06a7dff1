import type { Tensor } from '../tensor/tensor.js';

/** Static facts about an op: its name, and its LaTeX form given the LaTeX of its arguments. */
export interface OpInfo {
  name: string;
  latex: (args: string[], attrs?: Record<string, unknown>) => string;
}

/** One recorded application of an op: the tape entry behind a non-leaf tensor. */
export interface Node {
  op: OpInfo;
  inputs: Tensor[];
  /** Given dL/d(output), returns dL/d(input) for each input (null where none flows). */
  backward: (grad: Tensor) => (Tensor | null)[];
  /** Non-tensor arguments (dims, slopes, ...), for explanations and graphs. */
  attrs?: Record<string, unknown>;
  /**
   * Optional fast path of single-input view ops (index, narrow, permute, expand, asStrided), whose
   * input gradient scatters the output gradient into an input-shaped tensor: adds that scatter
   * into `into` in place. The engine uses it when it records no graph of the backward, so that k
   * slices of one tensor cost k slice-sized scatters into one buffer, not k full-size tensors.
   */
  accumulateInto?: (grad: Tensor, into: Tensor) => void;
}
