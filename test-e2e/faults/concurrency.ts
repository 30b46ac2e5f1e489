import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FaultNode, type ChainKind } from './node.ts';
import { ChainRuntime, type Attachment, type CallOutcome } from './runtime.ts';
import { leaks, takeSnapshot } from './snapshot.ts';

export interface LoadOptions {
  workers: number;
  seconds: number;
  /** Run GC in a loop beside the workers, with every attachment in flight as valid, pausing this long between GCs. */
  gcPauseMs?: number;
}

export interface LoadStats {
  chain: ChainKind;
  adds: number;
  dels: number;
  gcs: number;
  /** Calls that failed, with their answers (first few). */
  failures: string[];
  failureCount: number;
  /** An address handed to two attachments alive at the same time. */
  duplicates: number;
  /** A reservation of an attachment alive and valid that was gone (GC removed what it must keep). */
  lost: number;
  /** What the node held at the end, after every attachment was DELed, that it did not hold before. */
  leftovers: string[];
}

const failed = (outcomes: CallOutcome[]): CallOutcome | undefined => outcomes.find((o) => o.code !== 0);
const addressesOf = (result: unknown): string[] => ((result as { ips?: Array<{ address: string }> }).ips ?? []).map((ip) => ip.address.split('/')[0]!);

/**
 * `workers` runtimes ADD and DEL pods on one node as fast as they can for `seconds`, each pod in
 * its own namespace; with `gcPauseMs`, GC runs meanwhile with every attachment in flight listed as
 * valid (a new ADD starts only between GCs, so the list never misses it; ADDs and DELs already
 * running overlap the GC). Counts failures, addresses given twice, reservations of live
 * attachments that vanished, and what is left at the end.
 */
export async function runLoad(kind: ChainKind, o: LoadOptions): Promise<LoadStats> {
  const node = new FaultNode(kind);
  const rt = new ChainRuntime(node.node, node.chain);
  const stats: LoadStats = { chain: kind, adds: 0, dels: 0, gcs: 0, failures: [], failureCount: 0, duplicates: 0, lost: 0, leftovers: [] };
  const fail = (what: string, r: CallOutcome): void => {
    stats.failureCount++;
    if (stats.failures.length < 8) stats.failures.push(`${what}: ${r.stdout.trim()} ${r.stderr.trim().split('\n')[0] ?? ''}`);
  };
  const live = new Map<string, string>(); // address -> container id
  const valid = new Map<string, { containerID: string; ifname: string }>();
  let gcRunning: Promise<unknown> | undefined;
  try {
    // Warm-up: the bridge and the shared chains exist before the snapshot.
    const warm: Attachment = { containerId: 'ctsfhwarm', netns: node.pod(), ifName: 'eth0' };
    const w = await rt.add(warm);
    if (!w.completed) throw new Error(`${kind}: warm-up ADD failed: ${w.outcome.stdout}`);
    await rt.del(warm, w.last);
    node.dropPod(warm.netns);
    const before = takeSnapshot(node.places);
    const end = Date.now() + o.seconds * 1000;

    const worker = async (n: number): Promise<void> => {
      for (let k = 0; Date.now() < end; k++) {
        while (gcRunning) await gcRunning;
        const a: Attachment = { containerId: `ctsfhw${n}n${k}`, netns: node.pod(), ifName: 'eth0' };
        valid.set(a.containerId, { containerID: a.containerId, ifname: a.ifName });
        const add = await rt.add(a);
        stats.adds++;
        const ips = add.completed ? addressesOf(add.last) : [];
        if (!add.completed) fail(`ADD ${a.containerId}`, add.outcome);
        for (const ip of ips) {
          if (live.has(ip)) stats.duplicates++;
          live.set(ip, a.containerId);
        }
        // Give a GC time to run over the live attachment, then check its reservations are still there.
        await new Promise((r) => setTimeout(r, 5));
        for (const ip of ips) if (!existsSync(join(node.places.ipamDir, node.chain.name, ip))) stats.lost++;
        const del = failed(await rt.del(a, add.last));
        stats.dels++;
        if (del) fail(`DEL ${a.containerId}`, del);
        for (const ip of ips) if (live.get(ip) === a.containerId) live.delete(ip);
        valid.delete(a.containerId);
        node.dropPod(a.netns);
      }
    };
    const gcLoop = async (pause: number): Promise<void> => {
      while (Date.now() < end) {
        const run = rt.gc([...valid.values()]);
        gcRunning = run;
        const r = failed(await run);
        gcRunning = undefined;
        stats.gcs++;
        if (r) fail('GC', r);
        await new Promise((res) => setTimeout(res, pause));
      }
    };
    await Promise.all([...Array.from({ length: o.workers }, (_, n) => worker(n)), ...(o.gcPauseMs !== undefined ? [gcLoop(o.gcPauseMs)] : [])]);
    stats.leftovers = [...leaks(before, takeSnapshot(node.places)).values()].flat();
    return stats;
  } finally {
    node.cleanup();
  }
}

export function loadReport(title: string, s: LoadStats): string[] {
  return [
    `${title} (${s.chain}): ${s.adds} ADDs, ${s.dels} DELs, ${s.gcs} GCs; ${s.failureCount} failures, ${s.duplicates} duplicate addresses, ${s.lost} live reservations lost, ${s.leftovers.length} leftovers`,
    ...s.failures.map((f) => `  ${f}`),
    ...s.leftovers.slice(0, 8).map((l) => `  left: ${l}`),
  ];
}
