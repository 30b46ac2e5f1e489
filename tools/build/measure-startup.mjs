// `node tools/build/measure-startup.mjs [rounds]`: start-up of the multi-call executable built
// with several variants, against the Go reference plugin and a Bun executable that does nothing
// (the runtime's floor), interleaved in one run. Each sample is one exec of `bridge` answering
// VERSION. Prints median and 10th-percentile wall times (the 10th percentile shows the cost on
// a quiet machine when others are busy); README.md keeps the numbers.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, median } from '../../test-e2e/bench/lib.mjs';
import { writeHardenedRuntime } from './harden-runtime.mjs';
import { bunBinary, compileFlags, esbuildOptions, multicallEntry } from './options.mjs';

const rounds = Number(process.argv[2] ?? 200);
const REFERENCE = '/usr/lib/cni/bridge';
const work = mkdtempSync(join(tmpdir(), 'cni-ts-startup-'));
const runtime = join(work, 'bun-hardened');

const shipped = [...compileFlags, `--compile-executable-path=${runtime}`];
const variants = {
  'shipped: --bytecode, lazy built-ins': { esbuild: {}, bun: shipped },
  'without lazy built-ins': { esbuild: { plugins: [] }, bun: shipped },
  'without --bytecode': { esbuild: {}, bun: shipped.filter((f) => f !== '--bytecode') },
  'bundle fully minified': { esbuild: { minify: true }, bun: shipped },
};

async function compile(dir, variant) {
  mkdirSync(join(work, dir));
  const bundle = join(work, dir, 'bundle.cjs');
  await build({ ...esbuildOptions, ...variant.esbuild, entryPoints: [multicallEntry], outfile: bundle });
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

try {
  writeHardenedRuntime(runtime);
  const contenders = {};
  for (const [i, [label, variant]] of Object.entries(variants).entries()) contenders[label] = version(await compile(`v${i}`, variant));
  contenders['Bun floor (a script that prints {})'] = version(floor());
  const refLabel = `Go reference ${REFERENCE}`;
  if (existsSync(REFERENCE)) contenders[refLabel] = version(REFERENCE);
  for (const run of Object.values(contenders)) for (let i = 0; i < 10; i++) run(); // warm the page cache
  const samples = await interleave(rounds, contenders);
  const ref = samples[refLabel];
  console.log(`| executable (VERSION, ${rounds} runs each, interleaved) | median ms | p10 ms | median / Go |`);
  console.log('|---|---|---|---|');
  for (const [label, ms] of Object.entries(samples)) {
    const ratio = ref ? (median(ms) / median(ref)).toFixed(2) : '-';
    console.log(`| ${label} | ${median(ms).toFixed(2)} | ${percentile(ms, 0.1).toFixed(2)} | ${ratio} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
