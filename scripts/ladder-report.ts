// Rebuilds a ladder study's report (the Fig. 1 charts and training curves) from its committed run CSVs: results/<name>/runs/**.
//   usage: node bin/run-ts.js scripts/ladder-report.ts experiments/fig1-micro.json      → reports/<name>/
import { readExperiment } from '../src/schema/experiment.ts';
import { loadRuns, paperTargets } from '../src/report/inputs.ts';
import { writeReport } from '../src/report/report.ts';
import { toolVersion } from '../src/util/version.ts';

const exp = readExperiment(process.argv[2]);
const runs = loadRuns([`results/${exp.name}/runs/**/*.csv`]);
const r = await writeReport(`reports/${exp.name}`, { title: exp.report.title, datasets: [], runs, targets: paperTargets() }, { svg: true, png: true, tool: `scaling ${toolVersion()}` });
console.log(`reports/${exp.name}: ${r.charts.map((c) => c.id).join(', ')} from ${new Set(runs.map((x) => x.file)).size} run files`);
