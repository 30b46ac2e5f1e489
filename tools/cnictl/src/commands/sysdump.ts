import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SpawnRunner } from '@cni-ts/linux/run';
import { parseArgs } from '../cli/options.ts';
import { err, out, UsageError } from '../cli/output.ts';
import { cniPath, confDir } from '../cli/runtime-options.ts';
import { COMMANDS } from '../cli/usage.ts';
import { loadNode } from '../doctor/context.ts';
import { findingsJson } from '../doctor/report.ts';
import { DEFAULT_CACHE_DIR } from '../runtime/cache.ts';
import { ExecInvoker } from '../runtime/invoke.ts';
import { STATE_DEFAULTS } from '../state/inventory.ts';
import { collect } from '../sysdump/collect.ts';
import { runChecks } from './doctor.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** `cnictl sysdump [-o FILE]`: everything a maintainer asks for, as one .tar.gz. */
export async function sysdumpCommand(argv: readonly string[], env: Env = process.env): Promise<number> {
  const a = parseArgs(argv.map((x) => (x === '-o' ? '--output' : x)), ['output', 'conf-dir', 'cni-path', 'cache-dir', 'data-dir', 'subnet-file']);
  if (a.positionals.length > 0) throw new UsageError(`usage: cnictl ${COMMANDS.sysdump!.usage}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `cni-sysdump-${hostname()}-${stamp}`;
  const output = resolve(a.options.get('output') ?? `${name}.tar.gz`);
  const host = new SpawnRunner();
  const node = await loadNode({
    confDir: confDir(a, env),
    binDirs: cniPath(a, env),
    cacheDir: a.options.get('cache-dir') ?? DEFAULT_CACHE_DIR,
    defaults: { dataDir: a.options.get('data-dir') ?? STATE_DEFAULTS.dataDir, subnetFile: a.options.get('subnet-file') ?? STATE_DEFAULTS.subnetFile },
    host,
    invoker: new ExecInvoker(),
  });
  const work = mkdtempSync(join(tmpdir(), 'cni-sysdump-'));
  try {
    const errors = await collect(join(work, name), node, host, findingsJson(await runChecks(node)));
    const tar = await host.run(['tar', '-czf', output, '-C', work, name]);
    if (tar.code !== 0) throw new Error(`tar: ${tar.stderr.trim()}`);
    chmodSync(output, 0o600); // rules, addresses and container ids of the node: for root's eyes

    for (const e of errors) err(`cnictl sysdump: not collected: ${e}`);
    out(`wrote ${output}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
