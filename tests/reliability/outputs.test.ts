// Guarantee: the tool never destroys a user's files. --out refuses directories it did not write, devices, symlinks and
// pseudo file systems; '-' is standard output; every I/O failure (EACCES, EROFS, ENOSPC, ENOTDIR, EPIPE) is one line, exit 2,
// and leaves the previous file whole.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, rmSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, BIN } from '../helpers/cli.ts';
import { canMount, created, destroyed, expectOneLine, lit, mountTmpfs, runMain, sandbox, snapshot, tally } from './helpers.ts';
import { OUTPUT_MARKER, describeErrno, ioError, IoError, writeOutputFile } from '../../src/util/safe-out.ts';

const FITS = join(REPO, 'fits', 'micro-curated.json');
const counts = { rejected: 0, filesDestroyed: 0, skipped: [] as string[] };
afterAll(() => tally(counts));

/** Runs `args`, expects exit 2 and one line naming `where`, and that nothing under `dir` changed or appeared. */
async function refused(dir: string, args: string[], where: RegExp): Promise<string> {
  const before = snapshot(dir);
  const r = await runMain(args);
  const after = snapshot(dir);
  counts.filesDestroyed += destroyed(before, after).length;
  expect(r.code, r.stderr).toBe(2);
  expectOneLine(r.stderr, where);
  expect(destroyed(before, after)).toEqual([]);
  expect(created(before, after)).toEqual([]);
  counts.rejected++;
  return r.stderr;
}

describe('report --out never deletes what the tool did not write', () => {
  it('refuses a folder of the user (holding its own input) and a file, exit 2, and leaves both as they were', async () => {
    const d = sandbox('out-report');
    mkdirSync(join(d, 'fits'));
    copyFileSync(FITS, join(d, 'fits', 'a.json'));
    copyFileSync(FITS, join(d, 'b.json'));
    await refused(d, ['report', join(d, 'fits', 'a.json'), '--out', join(d, 'fits'), '--no-png', '--no-svg'], new RegExp(`${lit(join(d, 'fits'))}: --out: is a directory this tool did not write`));
    await refused(d, ['report', join(d, 'b.json'), '--out', join(d, 'b.json'), '--no-png', '--no-svg'], /b\.json: --out: is a regular file/);
    mkdirSync(join(d, 'real'));
    symlinkSync(join(d, 'real'), join(d, 'link'));
    await refused(d, ['report', join(d, 'b.json'), '--out', join(d, 'link'), '--no-png', '--no-svg'], /link: --out: is a symbolic link/);
  });

  it('writes a new folder with its marker, replaces its own report, and a pre-marker report of ours, but not one a user added a file to', async () => {
    const d = sandbox('out-report2');
    copyFileSync(FITS, join(d, 'a.json'));
    const out = join(d, 'rep');
    expect((await runMain(['report', join(d, 'a.json'), '--out', out, '--no-png', '--no-svg'])).code).toBe(0);
    expect(existsSync(join(out, OUTPUT_MARKER))).toBe(true);
    expect((await runMain(['report', join(d, 'a.json'), '--out', out, '--no-png', '--no-svg', '--title', 'again'])).code).toBe(0);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('again');
    // A report written before markers existed (the committed one): recognised by its files and our index.html.
    const legacy = join(d, 'legacy');
    cpSync(join(REPO, 'reports', 'micro'), legacy, { recursive: true });
    rmSync(join(legacy, OUTPUT_MARKER), { force: true }); // as written before markers existed
    expect((await runMain(['report', join(d, 'a.json'), '--out', legacy, '--no-png', '--no-svg'])).code).toBe(0);
    const mine = join(d, 'legacy2');
    cpSync(join(REPO, 'reports', 'micro'), mine, { recursive: true });
    rmSync(join(mine, OUTPUT_MARKER), { force: true });
    writeFileSync(join(mine, 'my-notes.txt'), 'mine');
    await refused(d, ['report', join(d, 'a.json'), '--out', mine, '--no-png', '--no-svg'], /legacy2: --out: is a directory this tool did not write/);
  });
});

describe('file outputs: only regular files or new paths, unless --force', () => {
  it('refuses /dev/null (a device), a symlink, a directory, /proc and a parent that is a file; --force writes into the device and through the link', async () => {
    const d = sandbox('out-file');
    writeFileSync(join(d, 'target.json'), 'old\n');
    symlinkSync(join(d, 'target.json'), join(d, 'link.json'));
    mkdirSync(join(d, 'dir'));
    writeFileSync(join(d, 'file'), 'x');
    await refused(d, ['plan', '--budget', '1e20', '--out', '/dev/null'], /^scaling: \/dev\/null: --out: is a character device, not a regular file/);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    await refused(d, ['plan', '--budget', '1e20', '--out', join(d, 'link.json')], /link\.json: --out: is a symbolic link/);
    await refused(d, ['plan', '--budget', '1e20', '--out', join(d, 'dir')], /dir: --out: is a directory/);
    await refused(d, ['plan', '--budget', '1e20', '--out', join(d, 'file', 'plan.json')], /plan\.json: --out: cannot write: its parent .* is a regular file/);
    const t0 = Date.now();
    await refused(d, ['plan', '--budget', '1e20', '--out', '/proc/scaling-plan.json'], /\/proc\/scaling-plan\.json: --out: refusing to write on the kernel's \/proc/);
    await refused(d, ['plan', '--budget', '1e20', '--out', '/proc/self/fd/1'], /--out: (is a symbolic link|refusing to write on the kernel's \/proc)/);
    expect(Date.now() - t0).toBeLessThan(5000); // no hang
    await refused(d, ['data', 'prepare', '--out', join(d, 'file')], /file\/curated: --out: cannot write: its parent .* is a regular file/);
    await refused(d, ['fit', FITS, '--out', join(d, 'dir')], /dir: --out: is a directory/);
    expect((await runMain(['plan', '--budget', '1e20', '--out', '/dev/null', '--force', '--format', 'json'])).code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect((await runMain(['plan', '--budget', '1e20', '--out', join(d, 'link.json'), '--force', '--format', 'json'])).code).toBe(0);
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(d, 'target.json'), 'utf8')).schema).toBe('scaling.plan');
  });

  it("'-' is standard output; a closed pipe (EPIPE) is one line, exit 2 (real processes)", () => {
    const r = spawnSync(process.execPath, [BIN, 'plan', '--budget', '1e20', '--format', 'csv', '--out', '-'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^id,budget,/);
    expect(r.stderr).toBe('');
    const p = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" plan --budgets 1e17:1e22:40 --points 20 --format csv | head -c 10 >/dev/null`], { encoding: 'utf8' });
    expectOneLine(p.stderr, /^scaling: stdout: cannot write: the reader closed the pipe \(EPIPE\)$/);
    counts.rejected += 1;
  }, 60_000);

  it('maps every I/O errno to one line naming the path and the cause', () => {
    for (const code of ['EISDIR', 'EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'ENOTDIR', 'EPIPE', 'EDQUOT', 'EIO']) {
      const e = Object.assign(new Error(`${code}: raw`), { code });
      const m = ioError(e, '/x/y.json', 'write');
      expect(m).toBeInstanceOf(IoError);
      expect(m.message).toBe(`/x/y.json: cannot write: ${describeErrno(code)} (${code})`);
    }
    const internal = new TypeError('bug');
    expect(ioError(internal, '/x')).toBe(internal); // internal faults are not disguised as input errors
  });
});

describe('I/O failures on real file systems: one line, exit 2, the previous file whole, no temporary left', () => {
  const mountable = canMount();

  it('a full disk (ENOSPC) leaves the old file intact', async () => {
    if (!mountable) {
      // Not root (or no CAP_SYS_ADMIN): the same error injected through /dev/full, the kernel's always-full device.
      counts.skipped.push('ENOSPC on a size-limited tmpfs (not root): injected via /dev/full instead');
      console.warn('reliability: SKIPPED the tmpfs disk-full check (cannot mount here); using /dev/full');
      expect(() => writeOutputFile('/dev/full', 'x'.repeat(1 << 16), { force: true })).toThrow(/\/dev\/full: cannot write: no space left on the device \(ENOSPC\)/);
      return;
    }
    const m = mountTmpfs('64k');
    try {
      const out = join(m.dir, 'plan.json');
      writeFileSync(out, 'previous plan\n');
      writeFileSync(join(m.dir, 'filler'), Buffer.alloc(60 * 1024));
      await refused(m.dir, ['plan', '--budgets', '1e17:3e20:8', '--out', out], new RegExp(`${lit(out)}: --out: cannot write: no space left on the device \\(ENOSPC\\)`));
      expect(readFileSync(out, 'utf8')).toBe('previous plan\n');
      expect(readdirSync(m.dir).sort()).toEqual(['filler', 'plan.json']);
    } finally {
      m.unmount();
    }
  });

  it('a read-only file system (EROFS) and a directory without write permission (EACCES)', async () => {
    if (!mountable) {
      counts.skipped.push('EROFS on a read-only tmpfs (not root)');
      console.warn('reliability: SKIPPED the read-only file system check (cannot mount here)');
    } else {
      const m = mountTmpfs('1m', true);
      try {
        await refused(m.dir, ['plan', '--budget', '1e20', '--out', join(m.dir, 'p.json')], /p\.json: --out: cannot write: read-only file system \(EROFS\)/);
      } finally {
        m.unmount();
      }
    }
    const d = sandbox('out-acces');
    const ro = join(d, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(d, 0o755);
    // Root ignores permissions: run the CLI as nobody (setpriv) when root, as ourselves otherwise.
    const asNobody = process.getuid?.() === 0;
    if (asNobody && spawnSync('setpriv', ['--version']).status !== 0) {
      counts.skipped.push('EACCES as root (setpriv, util-linux, is missing)');
      console.warn('reliability: SKIPPED the permission-denied check: running as root without setpriv');
      return;
    }
    const cmd = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    const before = snapshot(d);
    const r = spawnSync(cmd[0], [...cmd.slice(1), BIN, 'plan', '--budget', '1e20', '--out', join(ro, 'p.json')], { encoding: 'utf8', cwd: '/tmp' });
    expect(r.status, r.stderr).toBe(2);
    expectOneLine(r.stderr, new RegExp(`${lit(join(ro, 'p.json'))}: --out: cannot write: permission denied \\(EACCES\\)`));
    expect(destroyed(before, snapshot(d))).toEqual([]);
    counts.rejected++;
  }, 60_000);
});
