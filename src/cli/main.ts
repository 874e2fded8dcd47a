// The `scaling` command line: one yargs command per file in src/cli/, each a thin layer over the library. Bad input → one line on stderr, exit 2.
import yargs, { type CommandModule } from 'yargs';
import { InputError } from '../util/errors.ts';
import { ioError, describeErrno } from '../util/safe-out.ts';
import { didYouMean } from '../schema/settings.ts';
// Each command module, loaded on demand (keep the pipeline order: flops → plan → data → train → fit → report → run). A command
// line naming one command loads only its module (start-up: the others' libraries are not imported); anything else (help, a
// typo, options before the command) loads them all, so yargs lists, suggests and validates exactly as before.
type Loader = () => Promise<CommandModule<any, any>>;
const COMMANDS: [string, Loader][] = [
  ['flops', async () => (await import('./flops.ts')).flopsCommand],
  ['plan', async () => (await import('./plan.ts')).planCommand],
  ['data', async () => (await import('./data.ts')).dataCommand],
  ['train', async () => (await import('./train.ts')).trainCommand],
  ['export', async () => (await import('./export.ts')).exportCommand],
  ['slurm', async () => (await import('./slurm.ts')).slurmCommand],
  ['status', async () => (await import('./status.ts')).statusCommand],
  ['fit', async () => (await import('./fit.ts')).fitCommand],
  ['next', async () => (await import('./next.ts')).nextCommand],
  ['report', async () => (await import('./report.ts')).reportCommand],
  ['run', async () => (await import('./run.ts')).runCommand],
];

/** The command modules a command line needs: the one it names first, or all of them. */
export async function commandsFor(argv: string[]): Promise<CommandModule<any, any>[]> {
  const named = argv[0] && !argv[0].startsWith('-') ? COMMANDS.find(([name]) => name === argv[0]) : undefined;
  return Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
}

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
  for (const c of await commandsFor(argv)) cli.command(c);
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
