// `node tools/build/measure-startup.mjs [rounds]`: start-up of the multi-call executable built
// with several compiler variants, against the Go reference plugin, interleaved in one run.
// Each sample is one exec of `<plugin>` answering VERSION. Prints medians; README.md keeps them.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, median } from '../../test-e2e/bench/lib.mjs';
import { bunBinary, compileFlags, esbuildOptions, multicallEntry } from './options.mjs';

const rounds = Number(process.argv[2] ?? 200);
const REFERENCE = '/usr/lib/cni/bridge';
const work = mkdtempSync(join(tmpdir(), 'cni-ts-startup-'));

const withoutBytecode = compileFlags.filter((f) => f !== '--bytecode');
const variants = {
  'shipped flags (--bytecode --minify-syntax)': { esbuild: {}, bun: compileFlags },
  'no --bytecode': { esbuild: {}, bun: withoutBytecode },
  '--bytecode, bundle fully minified': { esbuild: { minify: true }, bun: compileFlags },
};

async function compile(name, variant) {
  const bundle = join(work, `${name}.cjs`);
  await build({ ...esbuildOptions, ...variant.esbuild, entryPoints: [multicallEntry], outfile: bundle });
  const exe = join(work, name, 'cni-ts');
  execFileSync(bunBinary, ['build', ...variant.bun, `--outfile=${exe}`, bundle], { stdio: ['ignore', 'ignore', 'inherit'] });
  linkSync(exe, join(work, name, 'bridge'));
  return join(work, name, 'bridge');
}

const version = (binary) => () => {
  const r = spawnSync(binary, [], { env: { CNI_COMMAND: 'VERSION' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${binary} VERSION failed: ${r.stderr}`);
};

try {
  const contenders = {};
  for (const [i, [label, variant]] of Object.entries(variants).entries()) contenders[label] = version(await compile(`v${i}`, variant));
  if (existsSync(REFERENCE)) contenders[`Go reference ${REFERENCE}`] = version(REFERENCE);
  for (const run of Object.values(contenders)) for (let i = 0; i < 10; i++) run(); // warm the page cache
  const samples = await interleave(rounds, contenders);
  const ref = samples[`Go reference ${REFERENCE}`];
  console.log(`| executable (VERSION, ${rounds} runs each, interleaved) | median ms | ratio to Go |`);
  console.log('|---|---|---|');
  for (const [label, ms] of Object.entries(samples)) {
    console.log(`| ${label} | ${median(ms).toFixed(2)} | ${ref ? (median(ms) / median(ref)).toFixed(2) : '-'} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
