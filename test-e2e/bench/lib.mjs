// Shared helpers for `npm run bench`: time whole operations, interleave ours and the reference
// so that machine noise hits both alike, and print medians with ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_BIN = join(REPO_ROOT, 'dist/bin');
export const REFERENCE_BIN = '/usr/lib/cni';

/**
 * What one bench makes on the host: a temp dir, and the network namespaces it creates through
 * netns(suffix), named `<unique prefix>-<suffix>` (loopback up; returns the path). cleanup()
 * removes exactly those, newest first, and the dir: call it in finally.
 */
export function benchScratch(label) {
  const prefix = `cts${label}${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `${label}-bench-`));
  const namespaces = [];
  return {
    dir,
    netns(suffix) {
      const name = `${prefix}-${suffix}`;
      execFileSync('ip', ['netns', 'add', name]);
      namespaces.push(name);
      execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      return `/run/netns/${name}`;
    },
    cleanup() {
      for (const name of namespaces.reverse()) spawnSync('ip', ['netns', 'delete', name]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds taken by fn (sync or async). */
export async function timeMs(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Run `rounds` rounds; in each, every contender's step runs once, in alternating order.
 * contenders: { name: async (round) => void }. Returns { name: [ms...] }.
 */
export async function interleave(rounds, contenders) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) samples[n].push(await timeMs(() => contenders[n](r)));
  }
  return samples;
}

/** Rows that carry a target, gathered from every report for the closing summary (run.mjs). */
const targets = [];

/**
 * Print one table: rows of { what, ours: [ms], reference: [ms], target?, goal? } with medians and
 * the ours/reference ratio. A row with `target` (the highest ratio the issues allow) also goes
 * to the closing summary under the name `goal`.
 */
export function report(title, rows) {
  console.log(`\n## ${title}`);
  console.log('| what | ours median ms | reference median ms | ratio ours/ref | target |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) {
    const o = median(row.ours);
    const ref = row.reference ? median(row.reference) : undefined;
    const ratio = ref ? o / ref : undefined;
    const target = row.target !== undefined ? `<= ${row.target}` : '';
    console.log(`| ${row.what} | ${o.toFixed(2)} | ${ref !== undefined ? ref.toFixed(2) : '-'} | ${ratio !== undefined ? ratio.toFixed(2) : '-'} | ${target} |`);
    if (row.target !== undefined) targets.push({ goal: row.goal ?? row.what, ours: o, reference: ref, ratio, target: row.target });
  }
}

/** The closing table: every target of the run, met or not. */
export function printTargets() {
  if (targets.length === 0) return;
  console.log('\n## Targets (issues 3, 4, 5): ratio = ours median / reference median');
  console.log('| goal | ours ms | reference ms | ratio | target | met |');
  console.log('|---|---|---|---|---|---|');
  for (const t of targets) {
    const met = t.ratio !== undefined && t.ratio <= t.target;
    console.log(`| ${t.goal} | ${t.ours.toFixed(2)} | ${t.reference?.toFixed(2) ?? '-'} | ${t.ratio?.toFixed(2) ?? '-'} | <= ${t.target} | ${met ? 'yes' : 'NO'} |`);
  }
}

/**
 * Exec a plugin binary synchronously with CNI env and a JSON config, inside the network namespace
 * at `node` (a path) when given, as a runtime on that node runs it; its parsed answer, or
 * undefined when it printed nothing. Throws on failure.
 */
export function execPlugin(binary, env, config, node) {
  const argv = node ? ['nsenter', `--net=${node}`, binary] : [binary];
  const r = spawnSync(argv[0], argv.slice(1), { env: { PATH: process.env.PATH, ...env }, input: JSON.stringify(config), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${binary} ${env.CNI_COMMAND} ${env.CNI_CONTAINERID ?? ''} failed: ${r.stdout} ${r.stderr}`);
  return r.stdout ? JSON.parse(r.stdout) : undefined;
}

/**
 * A chain driver for benches: runs a conflist's plugins the way libcni does, straight from this
 * process, so that ours and the reference are driven alike and the driver adds only an exec per
 * plugin. ADD runs the plugins in order, each given the previous result; DEL runs them in
 * reverse, each given the ADD's final result (cniVersion >= 0.4.0). `runtimeConfig` carries
 * the capability args a plugin declares in `capabilities`. Every plugin runs in the `node`
 * network namespace (a path), as a runtime on that node would run it.
 */
export function chainDriver({ conflist, binDir, node, capabilityArgs = () => ({}) }) {
  const results = new Map();
  const call = (plugin, command, env, prevResult, capArgs) => {
    const runtimeConfig = Object.fromEntries(Object.keys(plugin.capabilities ?? {}).filter((c) => plugin.capabilities[c] && c in capArgs).map((c) => [c, capArgs[c]]));
    const config = { ...plugin, name: conflist.name, cniVersion: conflist.cniVersion, ...(Object.keys(runtimeConfig).length > 0 && { runtimeConfig }), ...(prevResult && { prevResult }) };
    return execPlugin(join(binDir, plugin.type), { CNI_COMMAND: command, CNI_PATH: binDir, CNI_IFNAME: 'eth0', ...env }, config, node);
  };
  return {
    add(containerId, netns, i) {
      const env = { CNI_CONTAINERID: containerId, CNI_NETNS: netns };
      let result;
      for (const plugin of conflist.plugins) result = call(plugin, 'ADD', env, result, capabilityArgs(i));
      results.set(containerId, result);
    },
    del(containerId, netns, i) {
      const env = { CNI_CONTAINERID: containerId, CNI_NETNS: netns };
      for (const plugin of [...conflist.plugins].reverse()) call(plugin, 'DEL', env, results.get(containerId), capabilityArgs(i));
      results.delete(containerId);
    },
  };
}
