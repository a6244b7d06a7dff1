import { nn, randn, tensor } from 'chainrule';
const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
console.log(Object.keys(mha.stateDict()));
const x = randn([3, 5, 8]);
const [y, w] = mha.forward(x, x, x);
console.log(y.shape, w?.shape);
const [y2] = mha.forward(x, x, x, { needWeights: false });
console.log(Math.max(...Array.from(y.dataSync(), (v, i) => Math.abs(v - y2.dataSync()[i]))));
const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
console.log(Object.keys(layer.stateDict()));
const enc = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(16) });
console.log(Object.keys(enc.stateDict()).length, enc.forward(randn([2, 7, 16])).shape);
const t = new nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 });
console.log(Object.keys(t.stateDict()));
console.log(t.forward(randn([7, 2, 16]), randn([5, 2, 16]), { tgtMask: nn.Transformer.generateSquareSubsequentMask(5) }).shape);
try { mha.forward(x, x, x, { keyPaddingMask: tensor([[1,0,0,0,0]], {dtype:'int32'}) }); } catch (e) { console.log(String(e)); }
try { new nn.MultiheadAttention(10, 3); } catch (e) { console.log(String(e)); }
