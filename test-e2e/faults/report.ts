// `npm run faults`: the fault harness's report (not a timed test). Kills ADDs of every chain at
// random points, DELs them the three ways runtimes do, runs GC, and prints what was left per 1000
// trials by kind; then the GC race and the 8-worker soak at full length. Exit status 1 when
// anything was left or failed.
// Arguments: [trials per chain, default 300] [seed, default from the clock] [load seconds, default 60].
import { loadReport, runLoad, type LoadStats } from './concurrency.ts';
import { CHAIN_KINDS } from './node.ts';
import { reportLines, runTrials } from './trials.ts';

const trials = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
const seconds = Number(process.argv[4] ?? 60);
console.log(`fault harness: ${trials} trials per chain, seed ${seed}`);
let bad = 0;
for (const kind of CHAIN_KINDS) {
  const t0 = performance.now();
  const s = await runTrials(kind, trials, seed);
  for (const line of reportLines(s)) console.log(line);
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  bad += Object.values(s.leftByDel).reduce((a, b) => a + b, 0) + s.delFailures;
}
const load = (title: string, s: LoadStats): void => {
  for (const line of loadReport(title, s)) console.log(line);
  bad += s.failureCount + s.duplicates + s.lost + s.leftovers.length;
};
for (const kind of ['bridge-masq', 'flannel-portmap'] as const) load(`GC race, 4 workers, ${seconds} s`, await runLoad(kind, { workers: 4, seconds, gcPauseMs: 20 }));
load(`soak, 8 workers, ${seconds} s`, await runLoad('portmap-iptables', { workers: 8, seconds }));
process.exitCode = bad > 0 ? 1 : 0;
