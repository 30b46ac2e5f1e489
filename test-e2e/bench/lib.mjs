// Shared helpers for `npm run bench`: time whole operations, interleave ours and the reference
// so that machine noise hits both alike, and print medians with ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/**
 * CPU meters open around the step being timed: every plugin exec adds its CPU time (user +
 * system from wait4's rusage, children included) to each of them, so a step of a few execs and
 * the whole operation around it are both counted.
 */
const openMeters = new Set();

/** Wall and CPU milliseconds of fn (sync or async): { wall, cpu, value }. */
export async function measure(fn) {
  const meter = { cpu: 0 };
  openMeters.add(meter);
  const t0 = process.hrtime.bigint();
  try {
    const value = await fn();
    return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: meter.cpu, value };
  } finally {
    openMeters.delete(meter);
  }
}

/** measure() for a synchronous fn, appending to `into` (samples()); returns fn's value. */
export function recordSync(into, fn) {
  const meter = { cpu: 0 };
  openMeters.add(meter);
  const t0 = process.hrtime.bigint();
  try {
    return fn();
  } finally {
    into.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    into.cpu.push(meter.cpu);
    openMeters.delete(meter);
  }
}

/** Samples of one contender: wall and CPU milliseconds per operation, in the same order. */
export const samples = () => ({ wall: [], cpu: [] });

/** Measure fn and append its wall and CPU time to `into` (samples()); returns fn's value. */
export async function record(into, fn) {
  const m = await measure(fn);
  into.wall.push(m.wall);
  into.cpu.push(m.cpu);
  return m.value;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/**
 * Run `rounds` rounds; in each, every contender's step runs once, in alternating order.
 * contenders: { name: async (round) => void }. Returns { name: samples() }.
 */
export async function interleave(rounds, contenders) {
  const names = Object.keys(contenders);
  const out = Object.fromEntries(names.map((n) => [n, samples()]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) await record(out[n], () => contenders[n](r));
  }
  return out;
}

/** Element-wise sum of several operations' samples (e.g. the verbs of one lifecycle). */
export function sumSamples(...parts) {
  return { wall: parts[0].wall.map((_, i) => parts.reduce((s, p) => s + p.wall[i], 0)), cpu: parts[0].cpu.map((_, i) => parts.reduce((s, p) => s + p.cpu[i], 0)) };
}

/** Rows that carry a target, gathered from every report for the closing summary (run.mjs). */
const targets = [];

/**
 * A target of a row, checked on its medians:
 *   { goal, on: 'wall' | 'cpu', max }            ratio ours/reference at most `max`;
 *   { goal, on, min }                            ratio at least `min` (rates: higher is better);
 *   { goal, on, overMs, baseline }               ours median at most `overMs` above `baseline` ms.
 */
function judge(t, ours, reference) {
  const o = median(ours[t.on]);
  if (t.overMs !== undefined) {
    const over = o - t.baseline;
    return { value: `${over.toFixed(2)} ms over ${t.baseline.toFixed(2)}`, want: `<= ${t.overMs} ms over`, met: over <= t.overMs, o, ref: t.baseline };
  }
  const ref = median(reference[t.on]);
  const ratio = o / ref;
  if (t.min !== undefined) return { value: ratio.toFixed(2), want: `>= ${t.min}`, met: ratio >= t.min, o, ref };
  return { value: ratio.toFixed(2), want: `<= ${t.max}`, met: ratio <= t.max, o, ref };
}

const fmt = (v) => (v === undefined ? '-' : v.toFixed(2));
const ratioOf = (a, b) => (a === undefined || b === undefined || b === 0 ? '-' : (a / b).toFixed(2));

/**
 * Print one table: rows of { what, ours: samples(), reference?: samples(), targets?: [...] } with
 * wall and CPU medians and both ratios ours/reference. Every target also goes to the closing
 * summary under its `goal`, met or not.
 */
export function report(title, rows) {
  console.log(`\n## ${title}`);
  console.log('| what | ours wall ms | ref wall ms | wall ratio | ours CPU ms | ref CPU ms | CPU ratio | target |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const [ow, oc] = [median(row.ours.wall), median(row.ours.cpu)];
    const [rw, rc] = row.reference ? [median(row.reference.wall), median(row.reference.cpu)] : [];
    const judged = (row.targets ?? []).map((t) => ({ t, ...judge(t, row.ours, row.reference) }));
    const shown = judged.map((j) => `${j.t.on} ${j.want}: ${j.value} ${j.met ? 'met' : 'MISSED'}`).join('; ');
    console.log(`| ${row.what} | ${fmt(ow)} | ${fmt(rw)} | ${ratioOf(ow, rw)} | ${fmt(oc)} | ${fmt(rc)} | ${ratioOf(oc, rc)} | ${shown} |`);
    for (const j of judged) targets.push({ goal: j.t.goal, on: j.t.on, ours: j.o, reference: j.ref, value: j.value, want: j.want, met: j.met });
  }
}

/** A target judged outside report() (e.g. the throughput table), for the closing summary. */
export function addTarget(entry) {
  targets.push(entry);
}

/** The closing table: every target of the run, met or not. */
export function printTargets() {
  if (targets.length === 0) return;
  console.log('\n## Targets (issues 3, 4, 5, 11, 15)');
  console.log('| goal | on | ours | reference / baseline | value | target | met |');
  console.log('|---|---|---|---|---|---|---|');
  for (const t of targets) console.log(`| ${t.goal} | ${t.on} | ${fmt(t.ours)} | ${fmt(t.reference)} | ${t.value} | ${t.want} | ${t.met ? 'yes' : 'NO'} |`);
}

/**
 * Run argv to its end with `input` on stdin: { status, stdout, stderr, wall, cpu } (ms; CPU from
 * wait4's rusage of the process, its children included). Needs Bun (run.mjs runs the benches
 * under it): Node's spawnSync does not report a child's rusage.
 */
export function runMeasured(argv, env, input) {
  const t0 = process.hrtime.bigint();
  const r = Bun.spawnSync({ cmd: argv, env, stdin: input === undefined ? 'ignore' : Buffer.from(input), stdout: 'pipe', stderr: 'pipe' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = Number(r.resourceUsage.cpuTime.total) / 1000;
  for (const m of openMeters) m.cpu += cpu;
  return { status: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString(), wall, cpu };
}

/** The argv that runs `binary` inside the network namespace at `node` (a path), or as is. */
export const inNode = (binary, node) => (node ? ['nsenter', `--net=${node}`, binary] : [binary]);

/**
 * Exec a plugin binary synchronously with CNI env and a JSON config, inside the network namespace
 * at `node` (a path) when given, as a runtime on that node runs it; its parsed answer, or
 * undefined when it printed nothing. Throws on failure. Its CPU time goes to the open meters.
 */
export function execPlugin(binary, env, config, node) {
  const r = runMeasured(inNode(binary, node), { PATH: process.env.PATH, ...env }, JSON.stringify(config));
  if (r.status !== 0) throw new Error(`${binary} ${env.CNI_COMMAND} ${env.CNI_CONTAINERID ?? ''} failed: ${r.stdout} ${r.stderr}`);
  return r.stdout ? JSON.parse(r.stdout) : undefined;
}

/**
 * A chain driver for benches: runs a conflist's plugins the way libcni does, straight from this
 * process, so that ours and the reference are driven alike and the driver adds only an exec per
 * plugin. ADD runs the plugins in order, each given the previous result; DEL runs them in
 * reverse, each given the ADD's final result (cniVersion >= 0.4.0), then forgets it, as libcni
 * drops its cache; `delAgain` is the runtime's second DEL (containerd's RemovePodSandbox): no
 * netns, no prevResult. `runtimeConfig` carries the capability args a plugin declares in
 * `capabilities`. Every plugin runs in the `node` network namespace (a path), as a runtime on
 * that node would run it. `steps` holds every plugin call's samples by "<type> <verb>".
 */
export function chainDriver({ conflist, binDir, node, capabilityArgs = () => ({}) }) {
  const results = new Map();
  const steps = {};
  const call = (plugin, command, env, prevResult, capArgs) => {
    const runtimeConfig = Object.fromEntries(Object.keys(plugin.capabilities ?? {}).filter((c) => plugin.capabilities[c] && c in capArgs).map((c) => [c, capArgs[c]]));
    const config = { ...plugin, name: conflist.name, cniVersion: conflist.cniVersion, ...(Object.keys(runtimeConfig).length > 0 && { runtimeConfig }), ...(prevResult && { prevResult }) };
    const step = (steps[`${plugin.type} ${command}`] ??= samples());
    const t0 = process.hrtime.bigint();
    const r = runMeasured(inNode(join(binDir, plugin.type), node), { PATH: process.env.PATH, CNI_COMMAND: command, CNI_PATH: binDir, CNI_IFNAME: 'eth0', ...env }, JSON.stringify(config));
    step.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    step.cpu.push(r.cpu);
    if (r.status !== 0) throw new Error(`${plugin.type} ${command} ${env.CNI_CONTAINERID} failed: ${r.stdout} ${r.stderr}`);
    return r.stdout ? JSON.parse(r.stdout) : undefined;
  };
  const delAll = (containerId, netns, i, prevResult) => {
    const env = { CNI_CONTAINERID: containerId, CNI_NETNS: netns };
    for (const plugin of [...conflist.plugins].reverse()) call(plugin, 'DEL', env, prevResult, capabilityArgs(i));
  };
  return {
    steps,
    add(containerId, netns, i) {
      const env = { CNI_CONTAINERID: containerId, CNI_NETNS: netns };
      let result;
      for (const plugin of conflist.plugins) result = call(plugin, 'ADD', env, result, capabilityArgs(i));
      results.set(containerId, result);
    },
    del(containerId, netns, i) {
      delAll(containerId, netns, i, results.get(containerId));
      results.delete(containerId);
    },
    delAgain(containerId, i) {
      delAll(containerId, '', i, undefined);
    },
  };
}

/** A plugin dir holding the reference's bridge, host-local and portmap (symlinks), under `dir`. */
export function referenceBinDir(dir) {
  const bin = join(dir, 'go-bin');
  mkdirSync(bin, { recursive: true });
  for (const p of ['bridge', 'host-local', 'portmap']) if (!existsSync(join(bin, p))) symlinkSync(join(REFERENCE_BIN, p), join(bin, p));
  return bin;
}

/**
 * One contender's node for lifecycle benches: a node namespace, `pods` pod namespaces, and the
 * chain driver for `conflist`; add/del/delAgain(i) run the runtime's three calls for pod i.
 */
export function podChain(scratch, label, { conflist, binDir, pods, capabilityArgs }) {
  const node = scratch.netns(label);
  const podNs = Array.from({ length: pods }, (_, i) => scratch.netns(`${label}-${i}`));
  const chain = chainDriver({ conflist, binDir, node, capabilityArgs });
  return {
    node,
    steps: chain.steps,
    add: (i) => chain.add(`pod-${i}`, podNs[i], i),
    del: (i) => chain.del(`pod-${i}`, podNs[i], i),
    delAgain: (i) => chain.delAgain(`pod-${i}`, i),
  };
}

/**
 * One lifecycle of pod `i` for every contender, its samples then dropped: the first ADD on a node
 * creates its bridge (and the first portmap ADD the shared chains), which no later pod pays.
 */
export function warmUp(contenders, i) {
  for (const c of Object.values(contenders)) {
    c.add(i);
    c.del(i);
    c.delAgain(i);
    for (const s of Object.values(c.steps)) s.wall.length = s.cpu.length = 0;
  }
}

/**
 * The runtime's lifecycle of one pod per round for every contender, interleaved: ADD, DEL with
 * the netns, DEL with an empty netns (containerd's RemovePodSandbox). Returns, per contender,
 * { add, del, delAgain, lifecycle } samples. `calls` ({ name: fn }) run once per round in the
 * same interleaving, e.g. the bare starts the verbs are compared with; their samples too.
 */
export async function lifecycles(rounds, contenders, calls = {}) {
  const out = Object.fromEntries(Object.keys(contenders).map((n) => [n, { add: samples(), del: samples(), delAgain: samples() }]));
  const steps = Object.fromEntries(
    Object.entries(contenders).map(([n, c]) => [n, (i) => {
      recordSync(out[n].add, () => c.add(i));
      recordSync(out[n].del, () => c.del(i));
      recordSync(out[n].delAgain, () => c.delAgain(i));
    }]),
  );
  const called = await interleave(rounds, { ...steps, ...calls });
  for (const o of Object.values(out)) o.lifecycle = sumSamples(o.add, o.del, o.delAgain);
  for (const n of Object.keys(calls)) out[n] = called[n];
  return out;
}

/** A VERSION call of our executable and of a Go plugin in `node`: the bare starts, for lifecycles(). */
export function versionCalls(node) {
  const version = (binary) => () => execPlugin(binary, { CNI_COMMAND: 'VERSION' }, {}, node);
  return { oursVersion: version(join(DIST_BIN, 'bridge')), referenceVersion: version(join(REFERENCE_BIN, 'bridge')) };
}
/**
 * A plugin's DEL samples from lifecycles() hold each pod's two DELs in turn (with the netns, then
 * with it empty): the second of each pair, the one that finds nothing.
 */
export function secondDels(s) {
  return { wall: s.wall.filter((_, i) => i % 2 === 1), cpu: s.cpu.filter((_, i) => i % 2 === 1) };
}

/** runMeasured without blocking: for benches that run several streams at once. */
export async function runMeasuredAsync(argv, env, input) {
  const t0 = process.hrtime.bigint();
  const proc = Bun.spawn({ cmd: argv, env, stdin: input === undefined ? 'ignore' : Buffer.from(input), stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const status = await proc.exited;
  const cpu = Number(proc.resourceUsage().cpuTime.total) / 1000;
  return { status, stdout, stderr, wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu };
}

/**
 * chainDriver's lifecycle without blocking: ADD, DEL with the netns (prevResult), DEL with an
 * empty netns, for one pod; resolves to its { wall, cpu } (ms, CPU of every exec summed).
 */
export function asyncLifecycle({ conflist, binDir, node, capabilityArgs = () => ({}) }) {
  const call = async (plugin, command, env, prevResult, capArgs, cpu) => {
    const runtimeConfig = Object.fromEntries(Object.keys(plugin.capabilities ?? {}).filter((c) => plugin.capabilities[c] && c in capArgs).map((c) => [c, capArgs[c]]));
    const config = { ...plugin, name: conflist.name, cniVersion: conflist.cniVersion, ...(Object.keys(runtimeConfig).length > 0 && { runtimeConfig }), ...(prevResult && { prevResult }) };
    const r = await runMeasuredAsync(inNode(join(binDir, plugin.type), node), { PATH: process.env.PATH, CNI_COMMAND: command, CNI_PATH: binDir, CNI_IFNAME: 'eth0', ...env }, JSON.stringify(config));
    cpu.total += r.cpu;
    if (r.status !== 0) throw new Error(`${plugin.type} ${command} ${env.CNI_CONTAINERID} failed: ${r.stdout} ${r.stderr}`);
    return r.stdout ? JSON.parse(r.stdout) : undefined;
  };
  return async (containerId, netns, i) => {
    const cpu = { total: 0 };
    const t0 = process.hrtime.bigint();
    let result;
    for (const p of conflist.plugins) result = await call(p, 'ADD', { CNI_CONTAINERID: containerId, CNI_NETNS: netns }, result, capabilityArgs(i), cpu);
    for (const p of [...conflist.plugins].reverse()) await call(p, 'DEL', { CNI_CONTAINERID: containerId, CNI_NETNS: netns }, result, capabilityArgs(i), cpu);
    for (const p of [...conflist.plugins].reverse()) await call(p, 'DEL', { CNI_CONTAINERID: containerId, CNI_NETNS: '' }, undefined, capabilityArgs(i), cpu);
    return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpu.total };
  };
}

/**
 * A kube-flannel node under `dir`: its subnet.env (FLANNEL_IPMASQ=true: flanneld masquerades,
 * so the bridge gets no ipMasq), `flannel(label)` the flannel plugin's entry of kube-flannel's
 * conflist, and `delegate(label)` what the reference flannel hands its delegate for it: the
 * reference side's bridge + host-local entry. Each label gets its own state dirs.
 */
export function flannelNode(dir) {
  const subnetFile = join(dir, 'subnet.env');
  writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
  return {
    subnetFile,
    flannel: (label) => ({ type: 'flannel', subnetFile, dataDir: join(dir, label, 'flannel'), ipam: { dataDir: join(dir, label, 'ipam') }, delegate: { hairpinMode: true, isDefaultGateway: true } }),
    delegate: (label) => ({
      type: 'bridge',
      hairpinMode: true,
      isDefaultGateway: true,
      isGateway: true,
      ipMasq: false,
      mtu: 1450,
      ipam: { type: 'host-local', dataDir: join(dir, label, 'ipam'), ranges: [[{ subnet: '10.244.1.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] },
    }),
  };
}
