/** ONNX export of chainrule modules (Node: the writer goes through io/fs.ts; the optional package onnx-proto writes the protobuf). */
export { exportOnnx, writeOnnx, type DynamicAxes, type ExportOnnxOptions } from './export.js';
export { importOnnx, OnnxModule } from './import.js';
