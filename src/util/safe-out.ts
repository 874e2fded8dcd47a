// Safe outputs: the one place that decides whether a path may be written, writes it atomically, and turns I/O failures into one line.
//
// Every file or folder the tool writes for a user goes through here (src/util/atomic.ts delegates to it):
//   writeOutputFile(path, data, opts)   a file: '-' (or /dev/stdout) = standard output; otherwise temp sibling + fsync + rename.
//                                       Refuses (IoError, exit 2) a directory, a symlink, a device, a FIFO or a socket at `path`
//                                       (opts.force: write through a symlink / into a device or FIFO, never replacing it), paths on
//                                       kernel pseudo file systems (/proc, /sys: they hang or lie), and a parent that is a file.
//   writeOutputDir(path, build, opts)   a folder: build(tmp) fills a temporary sibling, our marker file is added, then it replaces
//                                       `path`, which must be absent, empty, or a folder this tool wrote (marker inside, or
//                                       opts.isOurs(dir) for folders written before markers existed). Never removes anything else.
//   checkOutputFile / checkOutputDir    the same checks alone, to refuse before any work is done (call them first, write later).
//   ioError(e, path, action)            a Node errno error → IoError "PATH: cannot write: no space left on the device (ENOSPC)".
//   describeErrno(code)                 the cause in words for an errno code, or undefined.
// IoError extends InputError, so the CLI prints it as one line and exits 2 like every other bad input.
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, statfsSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.ts';

/** File name of the marker inside every folder this tool writes (what makes it safe to replace later). */
export const OUTPUT_MARKER = '.scaling-output';

/** The path that means standard output. */
export const STDOUT_PATH = '-';

export interface SafeOutOptions {
  /** The flag or field that named the path, for messages (e.g. '--out'). */
  flag?: string;
  /** The user asked for it (--force): write through a symlink, or into a device or FIFO (never replacing it). Directories are never replaced by files. */
  force?: boolean;
}

export interface OutputDirOptions extends SafeOutOptions {
  /** Recognises a folder this tool wrote before markers existed (e.g. a report whose index.html we generated). */
  isOurs?: (dir: string) => boolean;
  /** What the folder is (recorded in the marker), e.g. 'report', 'dataset'. */
  kind?: string;
}

/** An I/O failure or a refused output path: one line naming the path and the cause (exit 2). `code` is the errno code when there was one. */
export class IoError extends InputError {
  readonly code?: string;
  constructor(reason: string, where: { file?: string; field?: string }, code?: string) {
    super(reason, where);
    this.name = 'IoError';
    this.code = code;
  }
}

const ERRNO_CAUSES: Record<string, string> = {
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent of the path is not a directory',
  EPIPE: 'the reader closed the pipe',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  EIO: 'input/output error of the device',
  EFBIG: 'file too large for the file system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'device or resource busy',
  ETXTBSY: 'text file busy',
  EXDEV: 'not on the same file system',
  EINVAL: 'invalid argument for this file',
  ENXIO: 'no such device or address',
  ENODEV: 'no such device',
  EAGAIN: 'resource temporarily unavailable',
};

/** The cause of an errno code in words, or undefined for codes that are not I/O conditions. */
export function describeErrno(code: string | undefined): string | undefined {
  return code ? ERRNO_CAUSES[code] : undefined;
}

/**
 * `e` as one line naming `path` and the cause when it is an I/O error (an errno code we know); InputErrors pass through; anything
 * else (an internal fault) is returned unchanged.
 */
export function ioError(e: unknown, path: string, action: 'write' | 'read' | 'create' | 'replace' = 'write', flag?: string): Error {
  if (e instanceof InputError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const cause = describeErrno(code);
  if (!cause) return e instanceof Error ? e : new Error(String(e));
  return new IoError(`cannot ${action}: ${cause} (${code})`, { file: displayPath(path), field: flag }, code);
}

function displayPath(path: string): string {
  return path === STDOUT_PATH ? 'stdout' : path;
}

function refuse(path: string, reason: string, opts: SafeOutOptions): never {
  throw new IoError(reason, { file: displayPath(path), field: opts.flag });
}

/** True for '-' and /dev/stdout: the user means standard output. */
export function isStdoutPath(path: string): boolean {
  return path === STDOUT_PATH || path === '/dev/stdout';
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return undefined; // reported by the parent check
    throw ioError(e, path, 'write');
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  return 'a regular file';
}

// Kernel pseudo file systems: their "files" are not storage (writes hang, fail oddly or change the system). statfs f_type values.
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: '/proc', 0x62656572: 'sysfs', 0x64626720: 'debugfs', 0x74726163: 'tracefs', 0x63677270: 'cgroup2', 0x27e0eb: 'cgroup',
  0x73636673: 'securityfs', 0xcafe4a11: 'bpf', 0x1cd1: 'devpts', 0x62656570: 'configfs', 0xde5e81e4: 'efivarfs', 0x6165676c: 'pstore',
};

/** The nearest existing ancestor of `path` (or path itself) and its stats; a file in the way is an ENOTDIR refusal. */
function nearestExisting(path: string, opts: SafeOutOptions): string {
  let dir = dirname(resolve(path));
  for (;;) {
    let s: Stats | undefined;
    try {
      s = statSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw ioError(e, path, 'write', opts.flag);
    }
    if (s) {
      if (!s.isDirectory()) refuse(path, `cannot write: its parent ${dir} is ${kindOf(s)}, not a directory`, opts);
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

function checkPseudoFs(path: string, existing: string, opts: SafeOutOptions): void {
  let type: number;
  try {
    type = Number(statfsSync(existing).type);
  } catch {
    return;
  }
  const fs = PSEUDO_FS[type];
  if (fs) refuse(path, `refusing to write on the kernel's ${fs} pseudo file system (not storage): choose a path on a disk`, opts);
}

/** How a checked file output will be written. */
export type FilePlan = { mode: 'stdout' } | { mode: 'atomic'; target: string } | { mode: 'direct'; target: string };

/**
 * Decides how `path` may be written as a file, or throws an IoError saying why not. Call it before expensive work so that a
 * refused output is reported before anything is computed.
 */
export function checkOutputFile(path: string, opts: SafeOutOptions = {}): FilePlan {
  if (path.trim() === '') refuse(path, 'must name a file (or - for standard output)', { ...opts, flag: opts.flag ?? '--out' });
  if (isStdoutPath(path)) return { mode: 'stdout' };
  const existing = nearestExisting(path, opts);
  checkPseudoFs(path, existing, opts);
  const s = lstatOrUndefined(path);
  if (!s || s.isFile()) return { mode: 'atomic', target: path };
  if (s.isDirectory()) refuse(path, 'is a directory: give a file name (e.g. inside it)', opts);
  if (s.isSymbolicLink()) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      refuse(path, 'is a symbolic link to nothing: remove it or choose another path', opts);
    }
    if (!opts.force) refuse(path, `is a symbolic link (to ${real}): refusing to replace it (--force writes through it)`, opts);
    const plan = checkOutputFile(real, opts);
    return plan;
  }
  if (!opts.force) refuse(path, `is ${kindOf(s)}, not a regular file: refusing to replace it (--force writes into it)`, opts);
  return { mode: 'direct', target: path };
}

/** Writes `data` to standard output synchronously (pipes and files are synchronous on Linux); EPIPE becomes an IoError. */
function writeStdout(data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(1, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw ioError(e, STDOUT_PATH, 'write');
    }
  }
}

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/** Writes `data` to `path` via a temporary sibling + fsync + rename (creating parents), after checkOutputFile's checks. */
export function writeOutputFile(path: string, data: string | Uint8Array, opts: SafeOutOptions = {}): void {
  const plan = checkOutputFile(path, opts);
  if (plan.mode === 'stdout') return writeStdout(data);
  if (plan.mode === 'direct') {
    try {
      writeFileSync(plan.target, data);
    } catch (e) {
      throw ioError(e, path, 'write', opts.flag);
    }
    return;
  }
  const target = plan.target;
  let tmp: string | undefined;
  try {
    mkdirSync(dirname(target), { recursive: true });
    tmp = tempSibling(target);
    const fd = openSync(tmp, 'wx');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    tmp = undefined;
  } catch (e) {
    if (tmp) rmSync(tmp, { force: true });
    throw ioError(e, path, 'write', opts.flag);
  }
}

/**
 * Removes the temporary siblings of `path` that writers killed mid-write left behind (`.<name>.<pid>.<rand>.tmp` whose pid no
 * longer runs here). They are ours, never read, and only ever half-written. Returns the removed names.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const pid = Number(n.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

/** True when `dir` holds our marker file. */
export function hasOutputMarker(dir: string): boolean {
  try {
    return lstatSync(join(dir, OUTPUT_MARKER)).isFile();
  } catch {
    return false;
  }
}

/**
 * Checks that `path` may be (re)placed by a folder we build: absent, an empty directory, or one this tool wrote (marker or
 * opts.isOurs). Throws an IoError naming the path otherwise. Returns whether something is there to replace.
 */
export function checkOutputDir(path: string, opts: OutputDirOptions = {}): { exists: boolean } {
  if (path.trim() === '' || isStdoutPath(path)) refuse(path, 'must name a directory', { ...opts, flag: opts.flag ?? '--out' });
  const existing = nearestExisting(path, opts);
  checkPseudoFs(path, existing, opts);
  const s = lstatOrUndefined(path);
  if (!s) return { exists: false };
  if (s.isSymbolicLink()) refuse(path, 'is a symbolic link: refusing to replace it (give the real directory)', opts);
  if (!s.isDirectory()) refuse(path, `is ${kindOf(s)}, not a directory this tool wrote: refusing to replace it (choose a new directory)`, opts);
  if (hasOutputMarker(path)) return { exists: true };
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (e) {
    throw ioError(e, path, 'read', opts.flag);
  }
  if (entries.length === 0) return { exists: true };
  if (opts.isOurs?.(path)) return { exists: true };
  refuse(path, `is a directory this tool did not write (no ${OUTPUT_MARKER} inside, ${entries.length} entries): refusing to replace it (choose a new or empty directory)`, opts);
}

/**
 * Builds a folder atomically: `build(tmp)` fills a temporary sibling, the marker is added, and it replaces `path` (checked by
 * checkOutputDir first). If anything fails, the temporary folder is removed and `path` is left as it was; I/O errors become IoErrors.
 */
export async function writeOutputDir(path: string, build: (tmpDir: string) => Promise<void> | void, opts: OutputDirOptions = {}): Promise<void> {
  checkOutputDir(path, opts);
  const parent = dirname(path);
  let tmp: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    tmp = tempSibling(path);
    mkdirSync(tmp);
    await build(tmp);
    writeFileSync(join(tmp, OUTPUT_MARKER), JSON.stringify({ tool: 'scaling', kind: opts.kind ?? 'output', written: new Date().toISOString() }) + '\n');
    // Re-check just before replacing: a folder that appeared (or changed) meanwhile must still be ours.
    const { exists } = checkOutputDir(path, opts);
    if (exists) {
      const old = `${tmp}.old`;
      renameSync(path, old);
      try {
        renameSync(tmp, path);
      } catch (e) {
        renameSync(old, path); // put the previous folder back
        throw e;
      }
      tmp = undefined;
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, path);
      tmp = undefined;
    }
  } catch (e) {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    throw ioError(e, path, 'write', opts.flag);
  }
}
