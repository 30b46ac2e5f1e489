import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inNetns } from '@cni-ts/linux';
import { CriClient } from '../../cri/client.ts';
import { containerdConfig, LIBCNI_CACHE, type ContainerdPaths } from './config.ts';
import { imageArchive } from './images.ts';
import { removePod } from './pod.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The process's argv, or undefined when it is gone or a zombie (a stopped process no one has reaped yet). */
function argvOf(pid: number): string[] | undefined {
  try {
    if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Whether pid is still the containerd started with this config (a PID may be reused once it is gone). */
export function isOurContainerd(pid: number, p: ContainerdPaths): boolean {
  const argv = argvOf(pid);
  return argv !== undefined && argv.includes(p.config) && argv.some((a) => a.endsWith('containerd'));
}

function logTail(p: ContainerdPaths): string {
  try {
    return readFileSync(p.log, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Write the config and make the dirs containerd expects to exist. */
export function prepareContainerd(p: ContainerdPaths): void {
  for (const d of [p.dir, p.confDir, p.podLogs]) mkdirSync(d, { recursive: true });
  writeFileSync(p.config, containerdConfig(p));
}

/**
 * Start containerd inside a network namespace (nsenter, not `ip netns exec`, which remounts /sys
 * and hides the cgroup fs from runc), detached so it outlives the caller, logging to its dir.
 * Resolves with its PID once the CRI answers; rejects with the log's last lines if it exits first.
 */
export async function startContainerd(p: ContainerdPaths, netnsPath: string, timeoutMs = 30_000): Promise<number> {
  const log = openSync(p.log, 'a');
  const [cmd, ...args] = inNetns(netnsPath, ['containerd', '--config', p.config]);
  const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start containerd: ${logTail(p)}`);
  let exited: number | string | null | undefined;
  child.on('exit', (code, signal) => (exited = code ?? signal));
  child.on('error', (e) => (exited = e.message));
  child.unref();
  const cri = new CriClient(p.socket);
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
      if (exited !== undefined) throw new Error(`containerd exited (${exited}): ${logTail(p)}`);
      if (existsSync(p.socket)) {
        try {
          await cri.version(2000);
          return pid;
        } catch {
          // listening, CRI plugin not ready yet
        }
      }
    }
    await stopContainerd(pid, p);
    throw new Error(`containerd did not answer on ${p.socket} within ${timeoutMs} ms: ${logTail(p)}`);
  } finally {
    cri.close();
  }
}

async function waitGone(pid: number, p: ContainerdPaths, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) if (!isOurContainerd(pid, p)) return true;
  return !isOurContainerd(pid, p);
}

/**
 * Stop the containerd we started, by its PID: SIGTERM, then SIGKILL when it has not exited within
 * graceMs. `signal: 'SIGKILL'` kills it at once (a crash). Running containers live on in their
 * shims either way, as on a node. Answers how it ended; a PID that is no longer ours is left alone.
 */
export async function stopContainerd(pid: number, p: ContainerdPaths, opts: { signal?: 'SIGTERM' | 'SIGKILL'; graceMs?: number } = {}): Promise<'gone' | 'terminated' | 'killed'> {
  if (!isOurContainerd(pid, p)) return 'gone';
  if (opts.signal !== 'SIGKILL') {
    process.kill(pid, 'SIGTERM');
    if (await waitGone(pid, p, opts.graceMs ?? 10_000)) return 'terminated';
  }
  process.kill(pid, 'SIGKILL');
  if (!(await waitGone(pid, p, 5_000))) throw new Error(`containerd ${pid} survived SIGKILL`);
  return 'killed';
}

/** Import the locally built pause and busybox images into the CRI's namespace. */
export function importImages(p: ContainerdPaths): void {
  const archive = join(p.dir, 'images.tar');
  writeFileSync(archive, imageArchive());
  try {
    const r = spawnSync('ctr', ['--address', p.socket, '--namespace', 'k8s.io', 'images', 'import', archive], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`ctr images import: ${(r.stderr || r.error?.message || '').trim()}`);
  } finally {
    rmSync(archive, { force: true });
  }
}

/** Stop and remove every sandbox (its containers go with it): the kubelet's way to empty a node. */
export async function removeAllSandboxes(p: ContainerdPaths): Promise<{ problems: string[]; stuck: string[] }> {
  const cri = new CriClient(p.socket);
  const problems: string[] = [];
  const stuck: string[] = [];
  try {
    for (const s of await cri.listPodSandbox()) {
      try {
        await removePod(cri, s.id);
      } catch (e) {
        problems.push(`${s.metadata.name}: ${(e as Error).message}`);
        stuck.push(s.id);
      }
    }
  } finally {
    cri.close();
  }
  return { problems, stuck };
}

/**
 * libcni's cache files of sandboxes whose DEL could not run (containerd gone, a plugin missing),
 * removed once their containerd and its dir are: what RemovePodSandbox would have removed.
 * containerd 1.6 has no setting for the cache dir; files are named `<network>-<sandbox ID>-<ifname>`.
 */
export function forgetAttachments(sandboxIds: readonly string[]): void {
  if (sandboxIds.length === 0 || !existsSync(LIBCNI_CACHE)) return;
  for (const f of readdirSync(LIBCNI_CACHE)) if (sandboxIds.some((id) => f.includes(`-${id}-`))) rmSync(join(LIBCNI_CACHE, f), { force: true });
}

/** The shims our containerd started (they carry its socket as `-address`), still running. */
function ourShims(p: ContainerdPaths): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      const argv = argvOf(pid);
      return argv !== undefined && /containerd-shim/.test(argv[0] ?? '') && argv.includes(p.socket);
    });
}

/** A shim's children: the init processes of the containers it runs. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/**
 * After containerd is stopped: kill what it left running (sandboxes not removed, e.g. after a
 * failed test: each shim's containers, then the shim), unmount what it mounted under its dir
 * (deepest first), remove the dir. Touches nothing outside p.dir but those processes.
 */
export async function removeContainerdDir(p: ContainerdPaths): Promise<void> {
  for (const shim of ourShims(p)) {
    childrenOf(shim).forEach(kill);
    kill(shim);
  }
  for (let i = 0; i < 50 && ourShims(p).length > 0; i++) await sleep(100);
  const mounts = spawnSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' }).stdout.split('\n');
  for (const target of mounts.filter((t) => t === p.dir || t.startsWith(`${p.dir}/`)).reverse()) {
    spawnSync('umount', ['-l', target]);
  }
  rmSync(p.dir, { recursive: true, force: true });
}
