// The `scaling` command line: one yargs command per file in src/cli/, each a thin layer over the library. Bad input → one line on stderr, exit 2.
import yargs, { type CommandModule } from 'yargs';
import { InputError } from '../util/errors.ts';
import { ioError, describeErrno } from '../util/safe-out.ts';
import { didYouMean } from '../schema/settings.ts';
import { flopsCommand } from './flops.ts';
import { planCommand } from './plan.ts';
import { runCommand } from './run.ts';
import { dataCommand } from './data.ts';
import { trainCommand } from './train.ts';
import { exportCommand } from './export.ts';
import { slurmCommand } from './slurm.ts';
import { statusCommand } from './status.ts';
import { reportCommand } from './report.ts';
import { fitCommand } from './fit.ts';
import { nextCommand } from './next.ts';

// Each command module registers itself here (keep the pipeline order: flops → plan → data → train → fit → report → run).
const COMMANDS: CommandModule<any, any>[] = [flopsCommand, planCommand, dataCommand, trainCommand, exportCommand, slurmCommand, statusCommand, fitCommand, nextCommand, reportCommand, runCommand];

/** Exit code for bad input (flags, files, fields). */
export const EXIT_BAD_INPUT = 2;

/** `--out -` → `--out=-` (yargs would take a lone '-' for a positional, not the flag's value: '-' means standard output). */
export function joinStdoutValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1] === '-') {
      out.push('--out=-');
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

let stdoutGuarded = false;

export async function main(argv: string[]): Promise<void> {
  const cli = yargs(joinStdoutValues(argv))
    .scriptName('scaling')
    .usage('$0 <command> [options]\n\nScaling laws the DeepSeek LLM way: FLOPs accounting, IsoFLOP plans, training, fitting, reports.')
    .strict()
    .demandCommand(1, 'Name a command (scaling --help lists them).')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err, usage) => {
      if (err) throw err;
      // yargs passes its usage object: its descriptions are keyed by the known flags (for "did you mean").
      const described = (usage as unknown as { getDescriptions?: () => Record<string, unknown> }).getDescriptions?.() ?? {};
      throw parseFailure(msg, Object.keys(described), argv);
    })
    .help()
    .version();
  for (const c of COMMANDS) cli.command(c);
  // `scaling plan | head`: the reader may close the pipe; say so in one line instead of an unhandled 'error' event.
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(`scaling: ${ioError(e, '-', 'write').message}\n`);
      process.exit(EXIT_BAD_INPUT);
    });
  }
  try {
    await cli.parseAsync();
  } catch (e) {
    const err = asInputError(e);
    if (err) {
      process.stderr.write(`scaling: ${err.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    throw e;
  }
}

/** An InputError, or an I/O error (errno code + path) from anywhere below turned into one; undefined for internal faults. */
function asInputError(e: unknown): InputError | undefined {
  if (e instanceof InputError) return e;
  const x = e as NodeJS.ErrnoException | undefined;
  if (x && typeof x.code === 'string' && describeErrno(x.code) && typeof x.path === 'string') {
    const reading = ['read', 'scandir', 'stat', 'lstat'].includes(x.syscall ?? '') || (x.syscall === 'open' && x.code === 'ENOENT');
    return ioError(e, x.path, reading ? 'read' : 'write') as InputError;
  }
  return undefined;
}

/** `--name` for a yargs key. */
const flagName = (k: string) => (k.length === 1 ? `-${k}` : `--${k}`);

/**
 * yargs' failure message (several lines for bad choices) → one InputError naming the flag: its value, the choices and the
 * closest choice; an unknown flag with the closest known one.
 */
export function parseFailure(msg: string, knownKeys: string[] = [], argv: string[] = []): InputError {
  // `--budget -1e20`: yargs reads a value that starts with '-' as flags (-1, -e, …); name the value and how to pass it.
  const negative = argv.findIndex((t, i) => i > 0 && /^-\d/.test(t) && argv[i - 1].startsWith('--') && !argv[i - 1].includes('='));
  if (negative >= 0 && /^Unknown arguments?: /m.test(msg)) {
    return new InputError(`a value starting with '-' is read as a flag: write ${argv[negative - 1]}=${argv[negative]}`, { field: argv[negative - 1] });
  }
  const choice = /Argument: ([^,]+), Given: ("(?:[^"\\]|\\.)*"|[^,]+), Choices: (.*)/.exec(msg);
  if (choice) {
    const [, key, givenRaw, choicesRaw] = choice;
    let given: string;
    try {
      given = JSON.parse(givenRaw) as string;
    } catch {
      given = givenRaw;
    }
    const choices = [...choicesRaw.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    const hint = didYouMean(String(given), choices);
    return new InputError(`invalid value '${given}' (choices: ${choices.join(', ')})${hint ? `; did you mean '${hint}'?` : ''}`, { field: flagName(key) });
  }
  const unknown = /^Unknown arguments?: (.+)$/m.exec(msg);
  if (unknown) {
    const first = unknown[1].split(',')[0].trim();
    const known = knownKeys.filter((k) => k.length > 1 && k !== '$0' && k !== '_');
    const hint = didYouMean(first.replace(/^-+/, ''), known);
    return new InputError(`unknown flag${hint ? `; did you mean ${flagName(hint)}?` : ' (see --help)'}`, { field: flagName(first.replace(/^-+/, '')) });
  }
  const missing = /^Missing required arguments?: (.+)$/m.exec(msg);
  if (missing) {
    // yargs checks required flags before unknown ones: `--tto hf` would say "--to is required". A mistyped flag that is close to
    // a required one is the real error, so name it first.
    const required = missing[1].split(',').map((k) => k.trim());
    const known = new Set(knownKeys);
    for (const t of argv) {
      const name = /^--([^=]+)/.exec(t)?.[1];
      if (!name || known.has(name) || known.has(name.replace(/^no-/, ''))) continue;
      const hint = didYouMean(name, required);
      if (hint) return new InputError(`unknown flag; did you mean ${flagName(hint)}?`, { field: flagName(name) });
    }
    return new InputError('is required', { field: required.map((k) => flagName(k)).join(', ') });
  }
  return new InputError(msg.split('\n').filter((l) => l.trim() !== '').join('; '));
}
