// The fault harness's CI sample (the full report is `npm run faults`): a fixed-seed sample of
// killed ADDs per chain, each DELed one of the three ways runtimes do, then GC; a short GC race
// and a short 8-worker soak. Everything runs the dist/bin executables in ctsfh* namespaces.
import { describe, expect, it } from 'vitest';
import { runLoad } from './concurrency.ts';
import { CHAIN_KINDS } from './node.ts';
import { KINDS, type Kind } from './snapshot.ts';
import { runTrials } from './trials.ts';

const SEED = 13;
const TRIALS = 30;
const none = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
describe.each(CHAIN_KINDS)('%s: ADDs killed at random points', (kind) => {
  it(`leave nothing after DEL, whichever way it comes, and nothing after GC (${TRIALS} trials, seed ${SEED})`, async () => {
    const s = await runTrials(kind, TRIALS, SEED);
    expect(s.trials).toBe(TRIALS);
    // The kills land in the middle of the work, not only before or after it.
    expect(s.afterSideEffect).toBeGreaterThan(TRIALS / 3);
    expect(s.completed).toBeLessThan(TRIALS);
    expect({ ...s.leftByDel, delFailures: s.delFailures, examples: s.examples }).toEqual({ ...none, delFailures: 0, examples: [] });
    expect(s.leftByGc).toEqual(none);
  }, 240_000);
});

describe('under load', () => {
  it.each(['bridge-masq', 'flannel-portmap'] as const)('%s: GC running beside ADDs and DELs breaks none of them and removes nothing live', async (kind) => {
    const s = await runLoad(kind, { workers: 4, seconds: 4, gcPauseMs: 20 });
    expect(s.gcs).toBeGreaterThan(3);
    expect({ failures: s.failures, lost: s.lost, duplicates: s.duplicates, leftovers: s.leftovers }).toEqual({ failures: [], lost: 0, duplicates: 0, leftovers: [] });
  }, 120_000);

  it('8 workers ADD and DEL at once: no failure, no address given twice, nothing left', async () => {
    const s = await runLoad('portmap-iptables', { workers: 8, seconds: 5 });
    expect(s.adds).toBeGreaterThan(16);
    expect({ failures: s.failures, duplicates: s.duplicates, leftovers: s.leftovers }).toEqual({ failures: [], duplicates: 0, leftovers: [] });
  }, 120_000);
});
