import { randn } from 'chainrule';
const n = Number(process.argv[2]), iters = Number(process.argv[3]);
const a = randn([n, n]), b = randn([n, n]);
for (let i = 0; i < iters; i++) a.matmul(b);
