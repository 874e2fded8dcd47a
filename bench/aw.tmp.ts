import { adamwArrays } from '../src/train/kernels/adamw-kernel.ts';
const n = 1 << 20;
const mk = () => new Float32Array(n).map(() => Math.random());
const [t, g, m, v, a, b, c] = [mk(), mk(), mk(), mk(), mk(), mk(), mk()];
const attrs = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, bc1: 0.1, bc2: 0.05, scale: 1 };
for (let r = 0; r < 5; r++) { const t0 = process.cpuUsage(); adamwArrays(t, g, m, v, a, b, c, attrs); const d = process.cpuUsage(t0); console.log(((d.user + d.system) / 1000).toFixed(2), 'ms for 1M'); }
