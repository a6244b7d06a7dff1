import { conv1dInputGrad, conv1dWeightGrad, randn, zeros, tensor, setBackend, getBackend } from 'chainrule';
for (const be of ['js', 'native', 'wasm'] as const) {
  setBackend(be);
  const N = 3, Cin = 4, L = 17, Cout = 5, K = 3;
  for (const [s, d] of [[1, 1], [2, 1], [1, 2], [3, 2]]) {
    const Lout = Math.floor((L - d * (K - 1) - 1) / s) + 1;
    const x = randn([N, Cin, L], { dtype: 'float64' });
    const w = randn([Cout, Cin, K], { dtype: 'float64' });
    const gyd = randn([N, Cout, Lout], { dtype: 'float64' }).toArray() as number[][][];
    // one nonzero per (n, o)
    const sp = gyd.map((r) => r.map((row) => row.map((v, t) => (t === 2 ? v : 0))));
    const gy = tensor(sp, { dtype: 'float64' });
    const gx = conv1dInputGrad(gy, w, L, { stride: s, dilation: d }).toArray() as number[][][];
    const gw = conv1dWeightGrad(x, gy, K, { stride: s, dilation: d }).toArray() as number[][][];
    // naive
    const X = x.toArray() as number[][][], W = w.toArray() as number[][][];
    let ex = 0, ew = 0;
    const rx = X.map((a) => a.map((b) => b.map(() => 0)));
    const rw = W.map((a) => a.map((b) => b.map(() => 0)));
    for (let n = 0; n < N; n++) for (let o = 0; o < Cout; o++) for (let t = 0; t < Lout; t++) for (let c = 0; c < Cin; c++) for (let k = 0; k < K; k++) {
      rx[n][c][t * s + k * d] += sp[n][o][t] * W[o][c][k];
      rw[o][c][k] += sp[n][o][t] * X[n][c][t * s + k * d];
    }
    for (let n = 0; n < N; n++) for (let c = 0; c < Cin; c++) for (let l = 0; l < L; l++) ex = Math.max(ex, Math.abs(rx[n][c][l] - gx[n][c][l]));
    for (let o = 0; o < Cout; o++) for (let c = 0; c < Cin; c++) for (let k = 0; k < K; k++) ew = Math.max(ew, Math.abs(rw[o][c][k] - gw[o][c][k]));
    console.log(getBackend(), s, d, ex.toExponential(2), ew.toExponential(2));
  }
}
