// Run locks: O_EXCL lock files with pid + hostname; a live holder (another process) blocks training, a dead holder's lock is taken over.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStale, tryLock } from '../src/train/lock.ts';
import { runFiles, trainPoint } from '../src/train/loop.ts';
import { loadDataset } from '../src/data/dataset.ts';
import type { TrainerConfig } from '../src/train/api.ts';
import { FakeTrainer, makePoint, tinyDataset } from './train-loop-fixtures.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'scaling-lock-'));

/** Starts `node` holding `file` with the same O_EXCL + JSON protocol as lock.ts; resolves once the lock exists. */
async function holdInChild(file: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const code = `const fs=require('fs'),os=require('os');const fd=fs.openSync(${JSON.stringify(file)},'wx');fs.writeSync(fd,JSON.stringify({pid:process.pid,hostname:os.hostname(),started:new Date().toISOString()}));fs.closeSync(fd);setInterval(()=>{},1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
  for (let i = 0; i < 200 && !readFileSync(file, 'utf8').includes('pid'); i++) await new Promise((r) => setTimeout(r, 25));
  return {
    pid: child.pid!,
    kill: () => new Promise<void>((r) => {
      child.on('exit', () => r());
      child.kill('SIGKILL');
    }),
  };
}

describe('tryLock', () => {
  it('is exclusive until released', () => {
    const f = join(dir(), 'a.lock');
    const a = tryLock(f)!;
    expect(a).toBeDefined();
    expect(JSON.parse(readFileSync(f, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(tryLock(f)).toBeUndefined();
    a.release();
    expect(existsSync(f)).toBe(false);
    const b = tryLock(f)!;
    expect(b).toBeDefined();
    b.release();
  });

  it('blocks while another live process holds the lock, and takes over once that process is dead', async () => {
    const f = join(dir(), 'b.lock');
    const holder = await holdInChild(f);
    expect(JSON.parse(readFileSync(f, 'utf8')).pid).toBe(holder.pid);
    expect(tryLock(f)).toBeUndefined();
    await holder.kill();
    const mine = tryLock(f);
    expect(mine).toBeDefined();
    expect(JSON.parse(readFileSync(f, 'utf8')).pid).toBe(process.pid);
    mine!.release();
  });

  it('treats a dead local pid as stale but never a lock from another host', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(isStale({ pid: dead, hostname: hostname(), started: '' })).toBe(true);
    expect(isStale({ pid: dead, hostname: 'some-other-host', started: '' })).toBe(false);
    expect(isStale({ pid: process.pid, hostname: hostname(), started: '' })).toBe(false);
    const f = join(dir(), 'c.lock');
    writeFileSync(f, JSON.stringify({ pid: dead, hostname: 'some-other-host', started: '' }));
    expect(tryLock(f)).toBeUndefined();
  });
});

describe('trainPoint and the lock', () => {
  it('does not train a run whose lock another live process holds, and trains it after that process died', async () => {
    const ds = loadDataset(await tinyDataset(), 'tiny');
    const runs = dir();
    const point = makePoint({ steps: 10, id: 'locked-run' });
    const files = runFiles(runs, point.id);
    const holder = await holdInChild(files.lock);
    let built = 0;
    const make = async (c: TrainerConfig) => {
      built++;
      return new FakeTrainer(c);
    };
    const r = await trainPoint(point, { runsDir: runs, dataset: ds, createTrainer: make });
    expect(r.status).toBe('locked');
    expect(built).toBe(0);
    expect(existsSync(files.csv)).toBe(false);
    await holder.kill();
    const r2 = await trainPoint(point, { runsDir: runs, dataset: ds, createTrainer: make });
    expect(r2.status).toBe('done');
    expect(existsSync(files.lock)).toBe(false);
  });
});
