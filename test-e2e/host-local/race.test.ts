import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUN, REPO_ROOT } from '../lib/exec.ts';
import { addresses, DataDir, hl, hlAsync, hlConfig, OURS, OURS_NODE_BUNDLE } from './lib.ts';

let data: DataDir;
beforeEach(() => (data = new DataDir()));
afterEach(() => data.cleanup());

const conf = (): Record<string, unknown> => hlConfig(data.path, { ranges: [[{ subnet: '10.60.0.0/24' }]] });

describe('dist/bin/host-local under concurrency and crashes', () => {
  it('50 concurrent ADD processes get 50 distinct addresses', async () => {
    const runs = Array.from({ length: 50 }, (_, i) => hlAsync(OURS, { command: 'ADD', containerId: `race${i}`, config: conf() }));
    const outs = await Promise.all(runs.map((r) => r.done));
    expect(outs.filter((o) => o.code !== 0).map((o) => o.stdout)).toEqual([]);
    const ips = outs.map((o) => addresses(o)[0]);
    expect(new Set(ips).size).toBe(50);
    const files = data.reservations('hlnet');
    expect(Object.keys(files)).toHaveLength(50);
    expect(new Set(Object.values(files))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `race${i}\r\neth0`)));
  });

  it('the Node bundle (flock(1) helper) and the executables (libc flock) exclude each other', async () => {
    const runs = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? hlAsync(process.execPath, { command: 'ADD', containerId: `n${i}`, config: conf() }, [OURS_NODE_BUNDLE]) : hlAsync(OURS, { command: 'ADD', containerId: `n${i}`, config: conf() }),
    );
    const outs = await Promise.all(runs.map((r) => r.done));
    expect(outs.filter((o) => o.code !== 0).map((o) => o.stdout + o.stderr)).toEqual([]);
    expect(new Set(outs.map((o) => addresses(o)[0])).size).toBe(20);
    expect(Object.keys(data.reservations('hlnet'))).toHaveLength(20);
  });

  it('a lock holder killed with SIGKILL frees the lock at once; the waiting ADD then completes', async () => {
    // The holder is our lock module under Bun, as in the executables: it takes the flock and stalls.
    const lockPath = join(data.path, 'hlnet', 'lock');
    hl(OURS, { command: 'ADD', containerId: 'first', config: conf() }); // creates the network dir
    const script = join(data.path, 'holder.ts');
    writeFileSync(
      script,
      `import { lockFile } from ${JSON.stringify(join(REPO_ROOT, 'packages/linux/src/lock.ts'))};\n` +
        `await lockFile(${JSON.stringify(lockPath)}); console.log('held'); setInterval(() => {}, 1000);\n`,
    );
    const holder = spawn(BUN, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const waiting = hlAsync(OURS, { command: 'ADD', containerId: 'second', config: conf() });
      let finished = false;
      void waiting.done.then(() => (finished = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(finished).toBe(false); // blocked on the lock
      const gone = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await gone;
      const out = await waiting.done;
      expect(out.code).toBe(0);
      expect(addresses(out)).toEqual(['10.60.0.3/24']);
      expect(spawnSync('flock', ['--nonblock', lockPath, 'true']).status).toBe(0);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('ADDs killed mid-way leave only complete reservations, and DEL releases whatever they got', async () => {
    const runs = Array.from({ length: 30 }, (_, i) => hlAsync(OURS, { command: 'ADD', containerId: `k${i}`, config: conf() }));
    // Kill every third process at staggered moments, some while they wait for or hold the lock.
    await Promise.all(
      runs.map((r, i) => (i % 3 === 0 ? new Promise<void>((res) => setTimeout(() => (killIfRunning(r.pid), res()), i)) : Promise.resolve())),
    );
    const outs = await Promise.all(runs.map((r) => r.done));
    const files = data.reservations('hlnet');
    for (const [ip, owner] of Object.entries(files)) expect(owner, ip).toMatch(/^k\d+\r\neth0$/);
    const survivors = outs.filter((o) => o.code === 0).map((o) => addresses(o)[0]!.split('/')[0]);
    for (const ip of survivors) expect(files[ip!]).toBeDefined();
    for (let i = 0; i < 30; i++) expect(hl(OURS, { command: 'DEL', containerId: `k${i}`, config: conf() }).code).toBe(0);
    expect(data.reservations('hlnet')).toEqual({});
    expect(addresses(hl(OURS, { command: 'ADD', containerId: 'after', config: conf() }))).toHaveLength(1);
  });
});

/** SIGKILL a process this test started; one that already finished is fine (the race is the point). */
function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
