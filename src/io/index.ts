/** Saving and loading tensors (safetensors) and training checkpoints. Node only (uses fs). */
export { save, load, loadWithMetadata, type TensorDict } from './save.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  type CheckpointParts,
  type CheckpointTargets,
  type LoadedCheckpoint,
  type StatefulModel,
} from './checkpoint.js';
export { writeFileAtomic } from './fs.js';
