import yargs from 'yargs';
import { reportCommand } from './src/cli/report.ts';
import { InputError } from './src/schema/errors.ts';
try { await yargs(process.argv.slice(2)).command(reportCommand).strict().fail((m, e) => { if (e) throw e; throw new InputError(m); }).parseAsync(); }
catch (e) { if (e instanceof InputError) { console.error('scaling: ' + e.message); process.exit(2); } throw e; }
