/**
 * The ONNX protobuf schema, from onnx-proto (the official onnx.proto compiled with protobufjs):
 * an optional peer dependency, loaded on first use, so that users who never export do not carry
 * protobufjs. Only the few messages the exporter writes are typed here.
 */
import { ChainruleError } from '../../errors.js';

/** A plain-object ONNX message, as protobufjs's `create`/`encode` take it. */
export type OnnxMessage = Record<string, unknown>;

interface MessageType {
  create(properties: OnnxMessage): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options?: Record<string, unknown>): OnnxMessage;
}

/** The part of onnx-proto's `onnx` namespace the exporter uses. */
export interface OnnxSchema {
  ModelProto: MessageType;
}

let schema: Promise<OnnxSchema | null> | null = null;

/** onnx-proto's `onnx` namespace, or a ChainruleError saying how to install it. */
export async function loadOnnxSchema(op: string): Promise<OnnxSchema> {
  schema ??= import('onnx-proto' as string).then(
    (m) => {
      const mod = m as { onnx?: OnnxSchema; default?: { onnx?: OnnxSchema } };
      return mod.onnx ?? mod.default?.onnx ?? null;
    },
    () => null,
  );
  const s = await schema;
  if (!s) throw new ChainruleError(`${op}: ONNX support needs the optional package onnx-proto (npm install onnx-proto@8)`);
  return s;
}

/** ONNX TensorProto.DataType codes of the dtypes chainrule exports. */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 } as const;
