// `npm test`: typecheck every package, run every package's tests (turbo builds dist first), then
// print one closing line summing all test files' results: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const turbo = join(root, 'node_modules/.bin/turbo');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const packageDirs = spawnSync('bash', ['-c', `ls -d ${workspaces.join(' ')}`], { cwd: root, encoding: 'utf8' })
  .stdout.split('\n')
  .filter(Boolean)
  .map((d) => join(root, d));
const reportOf = (dir) => join(dir, '.vitest-report.json');
for (const dir of packageDirs) rmSync(reportOf(dir), { force: true });

const run = (args) => spawnSync(turbo, args, { cwd: root, env, stdio: 'inherit' }).status ?? 1;
let status = run(['run', 'typecheck']);
if (status === 0) {
  status = run(['run', 'test', '--concurrency=2', '--', '--reporter=default', '--reporter=json', '--outputFile.json=.vitest-report.json']);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of packageDirs) {
  if (!existsSync(reportOf(dir))) continue;
  const r = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
