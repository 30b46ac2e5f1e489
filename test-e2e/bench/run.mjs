// `npm run bench`: every *.bench.mjs in this directory, one after another (they share the machine).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTargets } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  if (only && !file.includes(only)) continue;
  console.log(`\n# ${file}`);
  await (await import(join(here, file))).default();
}
printTargets();
