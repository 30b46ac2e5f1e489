// `npm run bench`: every *.bench.mjs in this directory, one after another (they share the machine):
// the light path first (the pods most nodes run), the long throughput rows last. Runs under Bun,
// the runtime the executables embed, whose spawnSync reports each child's rusage (CPU columns);
// started by node, it hands itself over to Bun.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTargets } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const FIRST = ['light-path'];
const LAST = ['node-scale', 'throughput'];

if (typeof Bun === 'undefined') {
  const { bunBinary } = await import('../../tools/build/options.mjs');
  const r = spawnSync(bunBinary, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const rank = (file) => {
  const name = file.replace(/\.bench\.mjs$/, '');
  if (FIRST.includes(name)) return FIRST.indexOf(name) - FIRST.length;
  if (LAST.includes(name)) return 1 + LAST.indexOf(name);
  return 0;
};
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()
  .sort((a, b) => rank(a) - rank(b));
for (const file of files) {
  if (only && !file.includes(only)) continue;
  console.log(`\n# ${file}`);
  await (await import(join(here, file))).default();
}
printTargets();
