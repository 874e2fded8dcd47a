// Atomic file and directory writes: write to a temporary sibling, then rename, so readers never see half a file (checks and errors: safe-out.ts).
import { writeOutputDir, writeOutputFile, type OutputDirOptions, type SafeOutOptions } from './safe-out.ts';

/**
 * Writes `data` to `path` via `.path.<pid>.<rand>.tmp` + fsync + rename, creating the parent directory. Refuses to replace
 * anything but a regular file (see src/util/safe-out.ts); I/O failures are IoErrors naming `path` and the cause.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: SafeOutOptions = {}): void {
  writeOutputFile(path, data, opts);
}

/**
 * Builds a directory atomically: `build(tmpDir)` fills a temporary sibling, which then replaces `path` — only when `path` is
 * absent, empty, or a folder this tool wrote (marker file, or opts.isOurs). If `build` throws, the temporary directory is removed
 * and `path` is left as it was.
 */
export async function writeDirAtomic(path: string, build: (tmpDir: string) => Promise<void> | void, opts: OutputDirOptions = {}): Promise<void> {
  await writeOutputDir(path, build, opts);
}
