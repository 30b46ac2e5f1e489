import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SpawnRunner } from '@cni-ts/linux/run';
import { parseArgs } from '../cli/options.ts';
import { err, out, UsageError } from '../cli/output.ts';
import { COMMANDS } from '../cli/usage.ts';
import { findingsJson } from '../doctor/report.ts';
import { collect } from '../sysdump/collect.ts';
import { loadNodeFromArgs, runChecks } from './doctor.ts';
import type { Env } from '../cli/runtime-options.ts';

/** `cnictl sysdump [-o FILE]`: everything a maintainer asks for, as one .tar.gz. */
export async function sysdumpCommand(argv: readonly string[], env: Env = process.env): Promise<number> {
  const a = parseArgs(argv.map((x) => (x === '-o' ? '--output' : x)), ['output', 'conf-dir', 'cni-path', 'cache-dir', 'data-dir', 'subnet-file']);
  if (a.positionals.length > 0) throw new UsageError(`usage: cnictl ${COMMANDS.sysdump!.usage}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `cni-sysdump-${hostname()}-${stamp}`;
  const output = resolve(a.options.get('output') ?? `${name}.tar.gz`);
  const host = new SpawnRunner();
  const node = await loadNodeFromArgs(a, env, host);
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
