// One lock file per run (O_EXCL create, holding pid + hostname) so two workers or two invocations never train the same run; dead holders' locks are taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockInfo {
  pid: number;
  hostname: string;
  started: string;
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
 * A lock is stale when it was taken on this host by a pid that no longer runs, or when it is unreadable (a writer died between
 * create and write). Locks from other hosts (shared file systems) are never considered stale: delete them by hand.
 */
export function isStale(info: LockInfo | undefined): boolean {
  if (!info || typeof info.pid !== 'number') return true;
  return info.hostname === hostname() && !pidAlive(info.pid);
}

/** Takes the lock, or returns undefined when a live holder has it. Stale locks are removed and the take is retried once. */
export function tryLock(file: string, pid = process.pid): RunLock | undefined {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const info = readLock(file);
      if (!isStale(info)) return undefined;
      // An unreadable lock younger than 10 s may be a taker between create and write: leave it alone.
      if (!info && Date.now() - mtimeMs(file) < 10_000) return undefined;
      // Remove only if it is still the same stale content (another taker may have replaced it meanwhile).
      const again = readLock(file);
      if (JSON.stringify(again) !== JSON.stringify(info)) continue;
      rmSync(file, { force: true });
      continue;
    }
    const info: LockInfo = { pid, hostname: hostname(), started: new Date().toISOString() };
    writeSync(fd, JSON.stringify(info) + '\n');
    closeSync(fd);
    let released = false;
    return {
      file,
      release() {
        if (released) return;
        released = true;
        const cur = readLock(file);
        if (cur && cur.pid === pid && cur.hostname === info.hostname) rmSync(file, { force: true });
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
