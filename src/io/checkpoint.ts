import { ChainruleError, fmtShape } from '../errors.js';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import type { Scheduler, SchedulerStateDict } from '../optim/scheduler.js';
import { type Generator, getRngState, setRngState } from '../tensor/random.js';
import { readFileBytes, writeFileAtomic } from './fs.js';
import { parseState, stringifyState } from './json.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { Tensor } from '../ops/index.js';

/** What a checkpoint needs from a model: its state dict, and a way to load one. */
export interface StatefulModel {
  /** The weights (and buffers) by dotted name, as saved. */
  stateDict(): Record<string, Tensor>;
  /** Loads saved weights in place (`strict` by default: every key must match). */
  loadStateDict(sd: Record<string, Tensor>, opts?: { strict?: boolean }): unknown;
}

/**
 * What saveCheckpoint writes: any of the model, optimizer and scheduler states, the epoch, the RNG
 * states and your own JSON (like the dict a PyTorch user passes to `torch.save`).
 * @example
 * ```ts
 * const parts: CheckpointParts = { model: new nn.Linear(2, 1), epoch: 3, extra: { best: 0.9 } };
 * parts.epoch // 3
 * ```
 */
export interface CheckpointParts {
  /** the model whose `stateDict()` is saved */
  model?: StatefulModel;
  /** the optimizer whose state (moments, step counts, hyperparameters) is saved */
  optimizer?: Optimizer;
  /** the learning-rate scheduler whose state is saved */
  scheduler?: Scheduler;
  /** the number of epochs completed */
  epoch?: number;
  /** save the default generator's state (default true) */
  rng?: boolean;
  /** other generators to save by name (a DataLoader's shuffling generator, ...) */
  generators?: Record<string, Generator>;
  /** any JSON-serialisable data of yours (best metric, history, ...) */
  extra?: unknown;
}

/**
 * Where loadCheckpoint restores the saved states: each given object is loaded in place.
 * @example
 * ```ts
 * const targets: CheckpointTargets = { model: new nn.Linear(2, 1), rng: false };
 * targets.rng // false
 * ```
 */
export interface CheckpointTargets {
  /** the model to `loadStateDict` the saved weights into (same architecture) */
  model?: StatefulModel;
  /** the optimizer to restore (built over the model's parameters, same kind) */
  optimizer?: Optimizer;
  /** the scheduler to restore */
  scheduler?: Scheduler;
  /** restore the default generator's state when the checkpoint has it (default true) */
  rng?: boolean;
  /** generators to restore by the names they were saved under */
  generators?: Record<string, Generator>;
}

/**
 * What loadCheckpoint returns besides the restored states: the saved epoch and your extra data.
 * @example
 * ```ts
 * const loaded: LoadedCheckpoint = { epoch: null, extra: undefined };
 * loaded.epoch // null
 * ```
 */
export interface LoadedCheckpoint {
  /** the number of epochs completed when saved, or null when none was saved */
  epoch: number | null;
  /** the JSON data saved as `extra` (undefined when none) */
  extra: unknown;
}

const FORMAT = 'chainrule.checkpoint';
const VERSION = '1';

function copyTensor(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape);
}

/** Serialises the parts of a training run into safetensors bytes (tensors + JSON metadata). */
export function encodeCheckpoint(parts: CheckpointParts): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const meta: Record<string, string> = { format: FORMAT, version: VERSION };
  if (parts.model) {
    for (const [k, t] of Object.entries(parts.model.stateDict())) tensors[`model.${k}`] = t;
    meta.model = stringifyState(Object.keys(parts.model.stateDict()));
  }
  if (parts.optimizer) {
    const sd = parts.optimizer.stateDict();
    const numbers: Record<string, Record<string, number>> = {};
    for (const [idx, s] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) tensors[`optimizer.state.${idx}.${k}`] = v;
        else (numbers[idx] ??= {})[k] = v;
      }
    }
    meta.optimizer = stringifyState({ kind: parts.optimizer.name, paramGroups: sd.paramGroups, numbers, stateKeys: Object.keys(sd.state) });
  }
  if (parts.scheduler) meta.scheduler = stringifyState({ kind: parts.scheduler.constructor.name, state: parts.scheduler.stateDict() });
  if (parts.epoch !== undefined) {
    if (!Number.isInteger(parts.epoch) || parts.epoch < 0) throw new ChainruleError(`saveCheckpoint: epoch must be an integer >= 0, got ${parts.epoch}`);
    meta.epoch = String(parts.epoch);
  }
  if (parts.rng ?? true) meta.rng = stringifyState(getRngState());
  if (parts.generators) meta.generators = stringifyState(Object.fromEntries(Object.entries(parts.generators).map(([k, g]) => [k, g.getState()])));
  if (parts.extra !== undefined) meta.extra = stringifyState(parts.extra);
  return encodeSafetensors(tensors, meta);
}

/**
 * Saves a training checkpoint (model, optimizer and scheduler state, epoch, RNG states) to one
 * safetensors file, atomically. Resuming from it with loadCheckpoint continues the run exactly.
 * @example
 * const model = new nn.Linear(2, 1);
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * saveCheckpoint('run.ckpt', { model, optimizer, epoch: 3 });
 * loadCheckpoint('run.ckpt', { model: new nn.Linear(2, 1) }).epoch // 3
 */
export function saveCheckpoint(path: string, parts: CheckpointParts): void {
  writeFileAtomic(path, encodeCheckpoint(parts), 'saveCheckpoint');
}

function parseMeta(meta: Record<string, string>, key: string, problems: string[]): unknown {
  if (!(key in meta)) return undefined;
  try {
    return parseState(meta[key]);
  } catch {
    problems.push(`the ${key} entry of the metadata is not valid JSON`);
    return undefined;
  }
}

const isRngState = (s: unknown): s is number[] => Array.isArray(s) && s.length === 5 && s.every((v) => typeof v === 'number');

/**
 * Restores a checkpoint from bytes into the given objects. Everything is validated first and the
 * objects are restored together: on any problem (missing or unexpected keys, wrong shapes or
 * dtypes, a different optimizer) a ChainruleError lists what is wrong and nothing is changed.
 */
export function decodeCheckpoint(bytes: Uint8Array, targets: CheckpointTargets, source = 'loadCheckpoint'): LoadedCheckpoint {
  const { tensors, metadata: meta } = decodeSafetensors(bytes, source);
  if (meta.format !== FORMAT) throw new ChainruleError(`${source}: this safetensors file is not a chainrule checkpoint (use load() for a plain state dict)`);
  const problems: string[] = [];
  if (meta.version !== VERSION) problems.push(`checkpoint format version ${meta.version} is not supported (expected ${VERSION})`);

  // model: compare against the live state dict before touching anything
  let modelSd: Record<string, Tensor> | null = null;
  if (targets.model) {
    if (!('model' in meta)) problems.push('the checkpoint has no model state');
    else {
      modelSd = {};
      for (const [k, t] of Object.entries(tensors)) if (k.startsWith('model.')) modelSd[k.slice(6)] = t;
      const live = targets.model.stateDict();
      const missing = Object.keys(live).filter((k) => !(k in (modelSd as object)));
      const unexpected = Object.keys(modelSd).filter((k) => !(k in live));
      if (missing.length) problems.push(`missing model keys: ${missing.join(', ')}`);
      if (unexpected.length) problems.push(`unexpected model keys: ${unexpected.join(', ')}`);
      for (const [k, t] of Object.entries(modelSd)) {
        const l = live[k];
        if (!l) continue;
        if (l.shape.length !== t.shape.length || l.shape.some((d, i) => d !== t.shape[i])) {
          problems.push(`model ${k}: shape ${fmtShape(t.shape)} in the checkpoint, ${fmtShape(l.shape)} in the model`);
        } else if (l.dtype !== t.dtype) problems.push(`model ${k}: dtype ${t.dtype} in the checkpoint, ${l.dtype} in the model`);
      }
    }
  }

  let optSd: OptimizerStateDict | null = null;
  if (targets.optimizer) {
    const o = parseMeta(meta, 'optimizer', problems) as
      | { kind: string; paramGroups: Record<string, unknown>[]; numbers: Record<string, Record<string, number>>; stateKeys: string[] }
      | undefined;
    if (!o) problems.push('the checkpoint has no optimizer state');
    else if (o.kind !== targets.optimizer.name) problems.push(`the checkpoint holds a ${o.kind} optimizer, not a ${targets.optimizer.name}`);
    else {
      const state: Record<number, ParamState> = {};
      for (const idx of o.stateKeys) state[Number(idx)] = { ...(o.numbers[idx] ?? {}) };
      for (const [k, t] of Object.entries(tensors)) {
        const m = /^optimizer\.state\.(\d+)\.(.+)$/.exec(k);
        if (!m) continue;
        (state[Number(m[1])] ??= {})[m[2]] = t;
      }
      optSd = { state, paramGroups: o.paramGroups };
    }
  }

  let schedSd: SchedulerStateDict | null = null;
  if (targets.scheduler) {
    const s = parseMeta(meta, 'scheduler', problems) as { kind: string; state: SchedulerStateDict } | undefined;
    if (!s) problems.push('the checkpoint has no scheduler state');
    else if (s.kind !== targets.scheduler.constructor.name) problems.push(`the checkpoint holds a ${s.kind} scheduler, not a ${targets.scheduler.constructor.name}`);
    else schedSd = s.state;
  }

  const rng = targets.rng ?? true ? parseMeta(meta, 'rng', problems) : undefined;
  if (rng !== undefined && !isRngState(rng)) problems.push('the saved RNG state is malformed');
  const gens = targets.generators ? (parseMeta(meta, 'generators', problems) as Record<string, unknown> | undefined) : undefined;
  for (const name of Object.keys(targets.generators ?? {})) {
    if (!gens || !(name in gens)) problems.push(`the checkpoint has no state for generator ${JSON.stringify(name)}`);
    else if (!isRngState(gens[name])) problems.push(`the saved state of generator ${JSON.stringify(name)} is malformed`);
  }
  const epochRaw = meta.epoch;
  const extra = parseMeta(meta, 'extra', problems);
  if (problems.length) throw new ChainruleError(`${source}: ${problems.length} problem(s), nothing was loaded:\n  ${problems.join('\n  ')}`);

  // snapshots (deep copies: loading writes into the live tensors) so a failure can roll back
  const modelBackup = targets.model ? Object.fromEntries(Object.entries(targets.model.stateDict()).map(([k, t]) => [k, copyTensor(t)])) : null;
  const optBackup = targets.optimizer ? targets.optimizer.stateDict() : null;
  const schedBackup = targets.scheduler ? JSON.parse(stringifyState(targets.scheduler.stateDict())) : null;
  try {
    if (targets.model && modelSd) targets.model.loadStateDict(modelSd, { strict: true });
    if (targets.optimizer && optSd) targets.optimizer.loadStateDict(optSd);
    if (targets.scheduler && schedSd) targets.scheduler.loadStateDict(schedSd);
  } catch (e) {
    // best effort per part: a part that failed to load validated first and is already unchanged
    const attempt = (f: () => void) => {
      try {
        f();
      } catch {
        // keep the original error
      }
    };
    if (targets.model && modelBackup) attempt(() => targets.model?.loadStateDict(modelBackup, { strict: true }));
    if (targets.optimizer && optBackup) attempt(() => targets.optimizer?.loadStateDict(optBackup));
    if (targets.scheduler && schedBackup) attempt(() => targets.scheduler?.loadStateDict(parseState(JSON.stringify(schedBackup)) as SchedulerStateDict));
    throw e instanceof ChainruleError ? new ChainruleError(`${source}: ${e.message} (nothing was loaded)`) : e;
  }
  if (rng !== undefined) setRngState(rng as number[]);
  for (const [name, g] of Object.entries(targets.generators ?? {})) g.setState((gens as Record<string, number[]>)[name]);
  return { epoch: epochRaw === undefined ? null : Number(epochRaw), extra };
}

/**
 * Restores a checkpoint written by saveCheckpoint into fresh (or existing) objects. All parts are
 * validated before any is changed; returns the saved epoch and extra data.
 * @example
 * const model = new nn.Linear(2, 1);
 * saveCheckpoint('run.ckpt', { model, epoch: 5, extra: { best: 0.9 } });
 * const fresh = new nn.Linear(2, 1);
 * const { epoch, extra } = loadCheckpoint('run.ckpt', { model: fresh });
 * epoch; // 5
 * (extra as { best: number }).best; // 0.9
 * fresh.weight.sub(model.weight).abs().max().item(); // 0
 */
export function loadCheckpoint(path: string, targets: CheckpointTargets): LoadedCheckpoint {
  return decodeCheckpoint(readFileBytes(path, 'loadCheckpoint'), targets, `loadCheckpoint ${path}`);
}
