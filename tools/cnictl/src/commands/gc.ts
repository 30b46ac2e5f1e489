import type { ParsedArgs } from '../cli/options.ts';
import { err, out, UsageError } from '../cli/output.ts';
import { validAttachments } from '../cli/runtime-options.ts';
import type { NetworkList } from '../conf/load.ts';
import type { ResultCache } from '../runtime/cache.ts';
import type { ChainRunner } from '../runtime/chain.ts';
import { readFirewall } from '../state/firewall.ts';
import { networkState, STATE_DEFAULTS, type NetworkState } from '../state/inventory.ts';
import { counts, released, releasedText, wouldRelease } from '../state/release.ts';
import type { CommandRunner } from '@cni-ts/linux/run';

export const GC_FLAGS = ['all-stale', 'dry-run'] as const;

/**
 * `cnictl gc <net>`. Without a valid set GC would DEL every cached attachment, live pods included,
 * so it needs either the attachments to keep or an explicit --all-stale. What the plugins freed
 * is counted from the node's state before and after (plugins print nothing for DEL and GC).
 */
export async function gcCommand(a: ParsedArgs, list: NetworkList, runner: ChainRunner, cache: ResultCache, host: CommandRunner): Promise<number> {
  const name = `network "${list.name}"`;
  if (list.disableGC) {
    out(`${name}: GC skipped, the list sets disableGC`);
    return 0;
  }
  const allStale = a.flags.has('all-stale');
  if (allStale && a.options.has('valid-attachments')) throw new UsageError('give --valid-attachments or --all-stale, not both');
  const read = async (): Promise<NetworkState> => networkState(list, cache, await readFirewall(host), STATE_DEFAULTS);
  const before = await read();
  if (!allStale && !a.options.has('valid-attachments')) {
    throw new UsageError(
      `gc needs to know which attachments are live: without a valid set it would DEL all ${before.attachments.length} cached attachment(s) of network "${list.name}", ` +
        "running pods included. Pass --valid-attachments '[{\"containerID\":\"...\",\"ifname\":\"eth0\"}]' (the runtime's live pods), " +
        'or --all-stale when none of them is live; add --dry-run to see what would go',
    );
  }
  const valid = allStale ? [] : validAttachments(a);
  if (a.flags.has('dry-run')) {
    const goes = wouldRelease(list, before, valid);
    for (const at of goes.attachments) out(`${name}: would DEL ${at.containerId}/${at.ifName} (netns ${at.netns || 'none'})`);
    for (const r of goes.reservations) out(`${name}: would release IP ${r.ip} (${r.containerId ?? 'no owner'}${r.ifName ? `/${r.ifName}` : ''})`);
    for (const r of goes.rules) out(`${name}: would remove ${r.kind} rules ${r.backend} ${r.chain} (${r.containerId})`);
    for (const s of goes.savedConfigs) out(`${name}: would remove saved config ${s.file}`);
    out(`${name}: dry run, nothing changed: GC would release ${releasedText(counts(goes))}; ${valid.length} kept valid`);
    return 0;
  }
  const report = await runner.gc(list, valid);
  for (const d of report.deleted) out(`${name}: deleted stale attachment ${d.containerId}/${d.ifName}`);
  for (const e of report.errors) err(`cnictl: gc: ${e.message}`);
  const freed = released(before, await read());
  out(`${name}: GC ${report.errors.length > 0 ? 'finished with errors' : 'done'}: ${report.deleted.length} stale attachment(s) deleted; released ${releasedText(freed)}; ${valid.length} kept valid`);
  return report.errors.length > 0 ? 1 : 0;
}
