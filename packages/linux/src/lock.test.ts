import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFile } from './lock.ts';

let dir: string;
let lockPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
  lockPath = join(dir, 'lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Whether another open file description could take the flock right now (util-linux flock -n). */
const lockIsFree = (): boolean => spawnSync('flock', ['--nonblock', lockPath, 'true']).status === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('lockFile under Node (flock(1) helper)', () => {
  it('excludes a second locker until release, and is a real flock other programs see', async () => {
    const events: string[] = [];
    const first = await lockFile(lockPath);
    events.push('first acquired');
    expect(lockIsFree()).toBe(false);
    const second = lockFile(lockPath).then((l) => {
      events.push('second acquired');
      return l;
    });
    await sleep(200);
    events.push('first releasing');
    await first.release();
    const l2 = await second;
    expect(events).toEqual(['first acquired', 'first releasing', 'second acquired']);
    await l2.release();
    expect(lockIsFree()).toBe(true);
  });

  it('waits for a lock held by another program', async () => {
    // The holder writes a marker just before it lets go: whoever gets the lock next must see it.
    const marker = join(dir, 'marker');
    const holder = spawn('flock', [lockPath, 'sh', '-c', `sleep 0.3; echo done > ${marker}`], { stdio: 'ignore' });
    const holderDone = new Promise((r) => holder.once('exit', r));
    while (lockIsFree()) await sleep(10);
    const lock = await lockFile(lockPath);
    expect(existsSync(marker)).toBe(true);
    await lock.release();
    await holderDone;
  });
});

describe('lockFile under Bun (libc flock through bun:ffi)', () => {
  const bun = createRequire(import.meta.url).resolve('@oven/bun-linux-x64/bin/bun');
  const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));

  it('holds a kernel flock that dies with its holder on SIGKILL', async () => {
    const script = join(dir, 'holder.ts');
    writeFileSync(
      script,
      `import { lockFile } from ${JSON.stringify(lockModule)};\n` +
        `await lockFile(${JSON.stringify(lockPath)});\n` +
        `console.log(typeof Bun !== 'undefined' ? 'held-by-bun' : 'held');\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    const holder = spawn(bun, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const said = await new Promise<string>((resolve) => holder.stdout.once('data', (b: Buffer) => resolve(b.toString().trim())));
      expect(said).toBe('held-by-bun');
      expect(lockIsFree()).toBe(false);
      const exited = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await exited;
      // No stale timeout: the kernel dropped the lock with the process.
      expect(lockIsFree()).toBe(true);
      await (await lockFile(lockPath)).release();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
