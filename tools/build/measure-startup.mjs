// `node tools/build/measure-startup.mjs [rounds]`: start-up of the multi-call executable built
// with several variants, against the Go reference plugin and a Bun executable that does nothing
// (the runtime's floor), interleaved in one run. Each sample is one exec of `bridge` answering
// VERSION. Prints median and 10th-percentile wall times (the 10th percentile shows the cost on
// a quiet machine when others are busy); README.md keeps the numbers.
//
// Two things move one build's start-up by up to ~1 ms that no code change explains, so they are
// averaged out: the layout of the executable (any change to the bundle shifts the embedded
// bytecode: identical code built under two file names differed by 0.4-1 ms), and how its pages
// sit in the page cache (a file written by cp, by bun, or read back differs for a whole run).
// Each variant is built in LAYOUTS layouts (the bundle plus a comment of different lengths), the
// samples of its layouts are pooled, and every EPOCH rounds the page cache of every executable
// is dropped and warmed again the same way.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, median } from '../../test-e2e/bench/lib.mjs';
import { writeHardenedRuntime } from './harden-runtime.mjs';
import { bunBinary, compileFlags, esbuildOptions, multicallEntry } from './options.mjs';

const rounds = Number(process.argv[2] ?? 200);
const LAYOUTS = 3;
const EPOCH = 50;
const REFERENCE = '/usr/lib/cni/bridge';
const work = mkdtempSync(join(tmpdir(), 'cni-ts-startup-'));
const runtime = join(work, 'bun-hardened');

const shipped = [...compileFlags, `--compile-executable-path=${runtime}`];
const variants = {
  'shipped: --bytecode, lazy built-ins, JIT policy 50': { esbuild: {}, bun: shipped },
  'JIT policy 1 (JavaScriptCore default)': { esbuild: {}, bun: shipped.filter((f) => !f.startsWith('--compile-jit-policy=')) },
  'without lazy built-ins': { esbuild: { plugins: [] }, bun: shipped },
  'without --bytecode': { esbuild: {}, bun: shipped.filter((f) => f !== '--bytecode') },
  'bundle fully minified': { esbuild: { minify: true }, bun: shipped },
};

async function compile(dir, variant, layout) {
  mkdirSync(join(work, dir));
  const bundle = join(work, dir, 'bundle.cjs');
  await build({ ...esbuildOptions, ...variant.esbuild, entryPoints: [multicallEntry], outfile: bundle });
  appendFileSync(bundle, `// layout ${'x'.repeat(layout * 613)}\n`);
  const exe = join(work, dir, 'cni-ts');
  execFileSync(bunBinary, ['build', ...variant.bun, `--outfile=${exe}`, bundle], { stdio: ['ignore', 'ignore', 'inherit'] });
  linkSync(exe, join(work, dir, 'bridge'));
  return join(work, dir, 'bridge');
}

/** Bun's floor: an executable from the same runtime that only writes one line. */
function floor() {
  const script = join(work, 'floor.cjs');
  writeFileSync(script, 'require("fs").writeSync(1, "{}\\n");\n');
  const exe = join(work, 'floor');
  execFileSync(bunBinary, ['build', ...shipped, `--outfile=${exe}`, script], { stdio: ['ignore', 'ignore', 'inherit'] });
  return exe;
}

const version = (binary) => () => {
  const r = spawnSync(binary, [], { env: { CNI_COMMAND: 'VERSION' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${binary} VERSION failed: ${r.stderr}`);
};

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.floor(values.length * p)];

/** Drop `file` from the page cache (GNU dd: nocache with count=0 drops the whole file). */
const evict = (file) => execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);

try {
  writeHardenedRuntime(bunBinary, runtime);
  const binaries = {}; // contender -> executable
  const groups = {}; // label -> its contenders (one per layout)
  for (const [i, [label, variant]] of Object.entries(variants).entries()) {
    groups[label] = [];
    for (let layout = 0; layout < LAYOUTS; layout++) {
      const name = `${label} #${layout}`;
      binaries[name] = await compile(`v${i}-${layout}`, variant, layout);
      groups[label].push(name);
    }
  }
  const floorLabel = 'Bun floor (a script that prints {})';
  binaries[floorLabel] = floor();
  groups[floorLabel] = [floorLabel];
  const refLabel = `Go reference ${REFERENCE}`;
  if (existsSync(REFERENCE)) {
    binaries[refLabel] = REFERENCE;
    groups[refLabel] = [refLabel];
  }
  const contenders = Object.fromEntries(Object.entries(binaries).map(([name, binary]) => [name, version(binary)]));
  const pooled = Object.fromEntries(Object.keys(binaries).map((name) => [name, []]));
  for (let done = 0; done < rounds; done += EPOCH) {
    for (const binary of Object.values(binaries)) evict(binary);
    for (const run of Object.values(contenders)) for (let i = 0; i < 5; i++) run(); // warm the page cache
    const samples = await interleave(Math.min(EPOCH, rounds - done), contenders);
    for (const [name, s] of Object.entries(samples)) pooled[name].push(...s.wall);
  }
  const samplesOf = (label) => groups[label].flatMap((name) => pooled[name]);
  const ref = groups[refLabel] && samplesOf(refLabel);
  console.log(`| executable (VERSION, ${rounds} runs per layout, ${LAYOUTS} layouts, interleaved) | median ms | p10 ms | median / Go |`);
  console.log('|---|---|---|---|');
  for (const label of Object.keys(groups)) {
    const ms = samplesOf(label);
    const ratio = ref ? (median(ms) / median(ref)).toFixed(2) : '-';
    console.log(`| ${label} | ${median(ms).toFixed(2)} | ${percentile(ms, 0.1).toFixed(2)} | ${ratio} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
