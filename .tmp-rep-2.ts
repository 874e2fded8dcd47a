import { syntheticFits, BUDGETS } from './tests/report-fixture.ts';
import { writeLaws } from './src/schema/laws.ts';
const a = syntheticFits({ name: 'good', k: 0.1715, a: 0.5243, E: 0.6, A: 40, gamma: 0.08, kappa: 0.15, budgets: BUDGETS, withCi: true, unbracketedLast: true, withHyper: true });
a.details!.predictions = [{ label: '7b', compute: 8.5e22, scale: 0.1715 * Math.pow(8.5e22, 0.5243), tokens: 8.5e22 / (0.1715 * Math.pow(8.5e22, 0.5243)), loss: 0.6 + 40 * Math.pow(8.5e22, -0.08), lossInterval: [0.6 + 40 * Math.pow(8.5e22, -0.08) - 0.05, 0.6 + 40 * Math.pow(8.5e22, -0.08) + 0.05], scaleInterval: [3e10, 6e10] }];
a.details!.representations = [
  { representation: 'M', scale: a.laws.scale!, data: a.laws.data!, loss: a.laws.loss },
  { representation: '6N1', scale: { coefficient: 0.2, exponent: 0.5, ci: { coefficient: [0.1, 0.4], exponent: [0.48, 0.52] } }, data: { coefficient: 5, exponent: 0.5 }, loss: { form: 'offset-power', E: 0.5, A: 30, gamma: 0.075 } },
];
const b = syntheticFits({ name: 'noisy', k: 2.0, a: 0.45, E: 0.7, A: 50, gamma: 0.08, kappa: 0.12, budgets: BUDGETS, withCi: true });
writeLaws('/tmp/rep/good.json', a);
writeLaws('/tmp/rep/noisy.json', b);
