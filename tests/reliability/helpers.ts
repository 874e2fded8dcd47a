// Shared helpers of the Guarantees suite: the tally behind the summary line, sandboxes with file snapshots (what "files
// destroyed" counts), and the one-line / exit-2 checks every bad input must pass.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { expect, inject } from 'vitest';

export interface Tally {
  crashes?: number;
  rejected?: number;
  rowsLost?: number;
  filesDestroyed?: number;
  /** Checks that could not run here, said loudly (they appear in the summary line). */
  skipped?: string[];
}

/** Adds to the suite's counts (printed once at the end by tests/reliability/summary.ts). */
export function tally(t: Tally): void {
  const file = inject('reliabilityTally');
  if (file) appendFileSync(file, JSON.stringify(t) + '\n');
}

export function sandbox(prefix = 'rel'): string {
  return mkdtempSync(join(tmpdir(), `scaling-${prefix}-`));
}

/** Every entry under `dir` (files by sha256, links by target, dirs as 'dir'), keyed by relative path. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = lstatSync(p);
      const key = relative(dir, p);
      if (s.isDirectory()) {
        out.set(key, 'dir');
        walk(p);
      } else if (s.isFile()) out.set(key, createHash('sha256').update(readFileSync(p)).digest('hex'));
      else out.set(key, s.isSymbolicLink() ? 'link' : 'special');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Entries of `before` that are gone or changed in `after` (the files a command destroyed). */
export function destroyed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
}

/** Entries of `after` that were not in `before` (what a refused command wrote). */
export function created(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((k) => !before.has(k));
}

/** A message is one line naming `where` (file:line:field, a field, or a flag). */
export function expectOneLine(message: string, where: RegExp): void {
  const text = message.trim();
  expect(text.split('\n'), text).toHaveLength(1);
  expect(text).toMatch(where);
  expect(text).not.toMatch(/TypeError|RangeError|at .*\.ts:\d+|node:internal/);
}

/** Escapes a literal for a RegExp. */
export function lit(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the CLI's main() in this process (no 1 s start-up per case): exit code, stderr and stdout (process.stdout.write only). */
export async function runMain(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const { main } = await import('../../src/cli/main.ts');
  const err: string[] = [];
  const out: string[] = [];
  const origErr = process.stderr.write.bind(process.stderr);
  const origOut = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((c: string | Uint8Array) => (err.push(String(c)), true)) as typeof process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => (out.push(String(c)), true)) as typeof process.stdout.write;
  const prev = process.exitCode;
  process.exitCode = 0;
  try {
    await main(args);
  } catch (e) {
    err.push(`UNCAUGHT ${(e as Error).stack}`);
    process.exitCode = 1;
  } finally {
    process.stderr.write = origErr;
    process.stdout.write = origOut;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = prev;
  return { code, stderr: err.join(''), stdout: out.join('') };
}

/** True when this process may mount file systems (root with CAP_SYS_ADMIN): tries a 1 MiB tmpfs. */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'scaling-mnt-probe-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  if (r.status !== 0) return false;
  spawnSync('umount', [dir]);
  return true;
}

/** Mounts a tmpfs of `size` (e.g. '64k') at a new directory, `ro` for read-only; returns it and an unmount function. */
export function mountTmpfs(size: string, ro = false): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'scaling-mnt-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${ro ? ',ro' : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
  return { dir, unmount: () => void spawnSync('umount', ['-l', dir]) };
}
