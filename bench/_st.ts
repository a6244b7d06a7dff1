import { randn, getBackend } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';
const a = randn([256, 256]), b = randn([256, 256]);
for (let i = 0; i < 3000; i++) a.matmul(b);
console.log(getBackend(), nativeAddon!.storageStats(), a.data.buffer.byteLength);
