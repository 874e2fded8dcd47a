// The `scaling` command line: one yargs command per file in src/cli/, each a thin layer over the library. Bad input → one line on stderr, exit 2.
import yargs, { type CommandModule } from 'yargs';
import { InputError } from '../util/errors.ts';
import { flopsCommand } from './flops.ts';
import { planCommand } from './plan.ts';
import { runCommand } from './run.ts';
import { dataCommand } from './data.ts';
import { trainCommand } from './train.ts';
import { reportCommand } from './report.ts';
import { fitCommand } from './fit.ts';

// Each command module registers itself here (keep the pipeline order: flops → plan → data → train → fit → report → run).
const COMMANDS: CommandModule<any, any>[] = [flopsCommand, planCommand, dataCommand, trainCommand, fitCommand, reportCommand, runCommand];

/** Exit code for bad input (flags, files, fields). */
export const EXIT_BAD_INPUT = 2;

export async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('scaling')
    .usage('$0 <command> [options]\n\nScaling laws the DeepSeek LLM way: FLOPs accounting, IsoFLOP plans, training, fitting, reports.')
    .strict()
    .demandCommand(1, 'Name a command (scaling --help lists them).')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(msg.split('\n')[0]);
    })
    .help()
    .version();
  for (const c of COMMANDS) cli.command(c);
  try {
    await cli.parseAsync();
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`scaling: ${e.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    throw e;
  }
}
