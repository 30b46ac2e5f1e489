import { FaultNode, type ChainKind } from './node.ts';
import { ChainRuntime, type Attachment, type CallOutcome } from './runtime.ts';
import { KINDS, leaks, takeSnapshot, type Kind, type Snapshot } from './snapshot.ts';

/** The three ways runtimes DEL: with the cached result, without one, after the netns is gone. */
export const DEL_WAYS = ['prevResult', 'no-prevResult', 'netns-gone'] as const;

export interface TrialStats {
  chain: ChainKind;
  trials: number;
  /** ADDs that finished before their kill. */
  completed: number;
  /** Kills that landed after a side effect (the node differed from before the ADD). */
  afterSideEffect: number;
  /** DELs that failed on the first try (each is retried once, as runtimes retry). */
  delFailures: number;
  /** Items left after DEL, and after DEL then GC, by kind (each counted once, the trial that left it). */
  leftByDel: Record<Kind, number>;
  leftByGc: Record<Kind, number>;
  /** A few of the items left and the DEL errors, to say what went wrong. */
  examples: string[];
}

/** A small deterministic PRNG (mulberry32): a seed gives the same kill points every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The node after a call, once the kernel has finished: a namespace deleted a moment ago takes its
 * veth peers on the node with it later, from the kernel's namespace clean-up work queue, which
 * runs one batch at a time for every namespace of the machine. It takes tens of milliseconds on
 * an idle node and seconds when the machine is loaded, so links alone that differ are looked at
 * again until a generous deadline before they count as left; anything else counts at once.
 */
const LINK_TEARDOWN_MS = 10_000;
async function settledSnapshot(node: FaultNode, before: Snapshot): Promise<Snapshot> {
  const deadline = Date.now() + LINK_TEARDOWN_MS;
  let snap = takeSnapshot(node.places);
  while (Date.now() < deadline) {
    const left = leaks(before, snap);
    if (left.size !== 1 || !left.has('link')) break;
    await new Promise((r) => setTimeout(r, 100));
    snap = takeSnapshot(node.places);
  }
  return snap;
}

const zero = (): Record<Kind, number> => Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
const failed = (outcomes: CallOutcome[]): CallOutcome | undefined => outcomes.find((o) => o.code !== 0);

/**
 * `n` trials on a fresh node for `kind`: each ADD is killed (SIGKILL of the plugin's process
 * group) at a random point between its start and a little past the time a whole ADD takes, then
 * DELed in one of the three ways in turn, then GC runs with no valid attachment. After the DEL and
 * after the GC the node is compared with its state before the ADD.
 */
export async function runTrials(kind: ChainKind, n: number, seed: number): Promise<TrialStats> {
  const node = new FaultNode(kind);
  const rt = new ChainRuntime(node.node, node.chain);
  const rnd = random(seed);
  const stats: TrialStats = { chain: kind, trials: 0, completed: 0, afterSideEffect: 0, delFailures: 0, leftByDel: zero(), leftByGc: zero(), examples: [] };
  const note = (line: string): void => void (stats.examples.length < 12 && stats.examples.push(line));
  try {
    // Warm-up: what stays by design (the bridge, portmap's shared chains, the nft tables) is there
    // before the first trial; the time of a whole ADD bounds the kill points.
    let addMs = 0;
    for (let i = 0; i < 2; i++) {
      const a: Attachment = { containerId: `ctsfhwarm${i}`, netns: node.pod(), ifName: 'eth0' };
      const t0 = performance.now();
      const r = await rt.add(a);
      addMs = Math.max(addMs, performance.now() - t0);
      if (!r.completed) throw new Error(`${kind}: warm-up ADD failed: ${r.outcome.stdout} ${r.outcome.stderr}`);
      const del = failed(await rt.del(a, r.last));
      if (del) throw new Error(`${kind}: warm-up DEL failed: ${del.stdout} ${del.stderr}`);
      node.dropPod(a.netns);
    }
    let before: Snapshot = takeSnapshot(node.places);
    for (let i = 0; i < n; i++) {
      const a: Attachment = { containerId: `ctsfh${seed.toString(16)}t${i}`, netns: node.pod(), ifName: 'eth0' };
      const add = await rt.add(a, rnd() * addMs * 1.2);
      stats.trials++;
      if (add.completed) stats.completed++;
      if (leaks(before, takeSnapshot(node.places)).size > 0) stats.afterSideEffect++;

      const way = DEL_WAYS[i % DEL_WAYS.length]!;
      if (way === 'netns-gone') node.dropPod(a.netns);
      const prev = way === 'prevResult' ? add.last : undefined;
      let del = failed(await rt.del(a, prev));
      if (del) {
        stats.delFailures++;
        note(`trial ${i} (${way}): DEL failed: ${del.stdout.trim()} ${del.stderr.trim().split('\n')[0] ?? ''}`);
        del = failed(await rt.del(a, prev));
      }
      const afterDel = await settledSnapshot(node, before);
      for (const [k, items] of leaks(before, afterDel)) {
        stats.leftByDel[k] += items.length;
        for (const item of items) note(`trial ${i} (${way}, ${add.completed ? 'ADD finished' : 'ADD killed'}) left after DEL: ${item}`);
      }
      const gc = failed(await rt.gc([]));
      if (gc) note(`trial ${i}: GC failed: ${gc.stdout.trim()}`);
      const afterGc = takeSnapshot(node.places);
      for (const [k, items] of leaks(before, afterGc)) stats.leftByGc[k] += items.length;
      node.dropPod(a.netns);
      // What a trial left is counted once: the next trial compares with the node as it is now.
      before = new Map([...before, ...afterGc]);
    }
    return stats;
  } finally {
    node.cleanup();
  }
}

/** Per 1000 trials, rounded to one decimal. */
export const per1000 = (count: number, trials: number): number => (trials === 0 ? 0 : Math.round((count / trials) * 10000) / 10);

/** The report lines of one chain's trials. */
export function reportLines(s: TrialStats): string[] {
  const kinds = (left: Record<Kind, number>) => KINDS.map((k) => `${k} ${per1000(left[k], s.trials)}`).join(', ');
  return [
    `${s.chain}: ${s.trials} trials, ${s.completed} ADDs finished before the kill, ${s.afterSideEffect} kills after a side effect, ${s.delFailures} DELs failed first time`,
    `  left per 1000 after DEL: ${kinds(s.leftByDel)}`,
    `  left per 1000 after DEL + GC: ${kinds(s.leftByGc)}`,
    ...s.examples.map((e) => `  ${e}`),
  ];
}
