// Atomic file and directory writes: write to a temporary sibling, then rename, so readers never see half a file.
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Writes `data` to `path` via `path.<pid>.<rand>.tmp` + rename. Creates the parent directory. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Builds a directory atomically: `build(tmpDir)` fills a temporary sibling, which then replaces `path`.
 * If `build` throws, the temporary directory is removed and `path` is left as it was.
 */
export async function writeDirAtomic(path: string, build: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  mkdirSync(tmp);
  try {
    await build(tmp);
    if (existsSync(path)) {
      const old = `${tmp}.old`;
      renameSync(path, old);
      renameSync(tmp, path);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, path);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
