// One lock file per run (O_EXCL create, holding pid + hostname + process start time + boot id, its mtime a heartbeat) so two
// workers or two invocations never train the same run; dead holders' locks are taken over, by one taker only (an O_EXCL
// takeover file serialises takers).
import { closeSync, openSync, readFileSync, rmSync, writeSync, mkdirSync, statSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ioError } from '../util/safe-out.ts';

export interface LockInfo {
  pid: number;
  hostname: string;
  started: string;
  /** Start time of the holder process (field 22 of /proc/<pid>/stat, clock ticks since boot): a reused pid has another. */
  pidStart?: number;
  /** /proc/sys/kernel/random/boot_id when the lock was taken: a reboot (or a fresh VM) has another. */
  bootId?: string;
  /** Random per lock: tells this lock from a later one by the same pid. */
  token?: string;
}

/** The holder touches its lock this often (mtime = heartbeat). */
export const HEARTBEAT_MS = 20_000;
/**
 * A lock whose heartbeat is older than this is stale even when its pid cannot be checked (another host on a shared file
 * system, a container whose hostname changed). Far longer than any synchronous training step or evaluation blocks the timer.
 */
export const STALE_AFTER_MS = 10 * 60_000;
/** A takeover file older than this belongs to a taker that died mid-takeover. */
const TAKEOVER_STALE_MS = 30_000;

/** Start time of a process (clock ticks since boot), from /proc; undefined where /proc is not available. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) is in parentheses and may hold spaces: count fields after the last ')'. starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[22 - 3]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined | null = null;
/** This boot's id (Linux), or undefined. */
export function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}

export interface RunLock {
  file: string;
  release(): void;
}

/** True when a process with this pid exists on this machine (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * A lock is stale when it is unreadable (a writer died between create and write), or it was taken on this host and
 *   - this host booted since (boot id differs), or
 *   - its pid no longer runs, or runs a different process (the pid's start time differs: reused after a restart, e.g. PID 1
 *     of a new container), or
 *   - it records no start time (an older lock) and its heartbeat is older than STALE_AFTER_MS;
 * or it was taken on another host (or a container with another hostname) and its heartbeat (`mtimeMs`, the file's mtime) is
 * older than STALE_AFTER_MS. Without `mtimeMs` the heartbeat counts as fresh.
 */
export function isStale(info: LockInfo | undefined, mtimeMs?: number, now = Date.now()): boolean {
  if (!info || typeof info.pid !== 'number') return true;
  const silent = mtimeMs !== undefined && now - mtimeMs > STALE_AFTER_MS;
  if (info.hostname !== hostname()) return silent;
  const boot = bootId();
  if (info.bootId && boot && info.bootId !== boot) return true;
  if (!pidAlive(info.pid)) return true;
  if (info.pidStart === undefined) return silent;
  const start = processStartTime(info.pid);
  return start !== undefined && start !== info.pidStart;
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Creates `file` exclusively with our lock info; undefined when it exists. */
function create(file: string, pid: number): { info: LockInfo; raw: string } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw ioError(e, file, 'create');
  }
  const info: LockInfo = { pid, hostname: hostname(), started: new Date().toISOString(), pidStart: processStartTime(pid), bootId: bootId(), token: randomBytes(8).toString('hex') };
  const raw = JSON.stringify(info) + '\n';
  try {
    writeSync(fd, raw);
  } catch (e) {
    closeSync(fd);
    rmSync(file, { force: true }); // our own empty lock: a full disk must not leave it behind
    throw ioError(e, file, 'write');
  }
  closeSync(fd);
  return { info, raw };
}

/**
 * Removes a stale lock so it can be taken again — by one taker only: the taker must first create `<file>.takeover` with
 * O_EXCL, re-reads the lock under it, and removes it only if it is still the same stale lock. Two takers that both judged
 * the lock stale cannot both win: the second finds the takeover file (or the first one's fresh lock) and backs off.
 * Returns whether the stale lock was removed.
 */
function takeOver(file: string, staleRaw: string | undefined): boolean {
  const takeover = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A taker that died mid-takeover leaves its file behind: clear it (the next attempt may take over), but not now.
    if (Date.now() - mtimeMs(takeover) > TAKEOVER_STALE_MS) rmSync(takeover, { force: true });
    return false;
  }
  closeSync(fd);
  try {
    const now = readRaw(file);
    if (now === undefined) return true; // gone meanwhile (its holder released it)
    if (now !== staleRaw) return false; // replaced by a fresh lock meanwhile
    let info: LockInfo | undefined;
    try {
      info = JSON.parse(now) as LockInfo;
    } catch {
      info = undefined;
    }
    if (!isStale(info, mtimeMs(file))) return false;
    rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(takeover, { force: true });
  }
}

/**
 * Takes the lock, or returns undefined when a live holder has it (or another taker is taking over a stale one). A stale lock
 * (isStale) is taken over once. While held, the lock file's mtime is refreshed every HEARTBEAT_MS.
 */
export function tryLock(file: string, pid = process.pid): RunLock | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw ioError(e, dirname(file), 'create');
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const mine = create(file, pid);
    if (!mine) {
      const raw = readRaw(file);
      let info: LockInfo | undefined;
      try {
        info = raw === undefined ? undefined : (JSON.parse(raw) as LockInfo);
      } catch {
        info = undefined;
      }
      if (raw === undefined) continue; // released between our create and read: try again
      if (!isStale(info, mtimeMs(file))) return undefined;
      // An unreadable lock younger than 10 s may be a taker between create and write: leave it alone.
      if (!info && Date.now() - mtimeMs(file) < 10_000) return undefined;
      if (!takeOver(file, raw)) return undefined;
      continue;
    }
    const heartbeat = setInterval(() => {
      if (readRaw(file) !== mine.raw) return; // not ours any more: leave it alone
      try {
        const t = new Date();
        utimesSync(file, t, t);
      } catch {
        /* the file system is full or gone: the next check decides */
      }
    }, HEARTBEAT_MS);
    heartbeat.unref();
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        if (readRaw(file) === mine.raw) rmSync(file, { force: true });
      },
    };
  }
  return undefined;
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
