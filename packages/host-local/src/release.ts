import type { Attachment, CallContext } from '@cni-ts/core';
import { parseStoreLocation } from './config.ts';
import { ownerKey } from './owner-index.ts';
import { networkDir, withNetwork } from './session.ts';
import type { OwnedFile, Owner } from './store.ts';

/**
 * DEL: release every address this container+ifname holds in the network, whatever range it is
 * in (the config may have changed since ADD). Needs no netns and only the network name and
 * dataDir, so it works with a broken or missing `ipam` section; repeating it is harmless.
 */
export async function del(ctx: CallContext): Promise<void> {
  const loc = parseStoreLocation(ctx.config);
  if (!networkDir(loc).exists()) return; // nothing was ever reserved here
  await withNetwork(loc, 'change', ctx.log, (s) => {
    for (const { name, owner } of s.reservationsOf(ctx.containerId, ctx.ifName)) {
      s.net.release(name);
      s.index.remove(owner, name);
    }
  });
}

/**
 * GC: release every reservation not held by an attachment in `cni.dev/valid-attachments`.
 * Old cid-only files are kept when their container has any valid attachment; files with no
 * owner at all (left by a writer that died mid-write) are released. Each reservation file is
 * read once: the index is rebuilt from the owners of the files kept.
 */
export async function gc(ctx: CallContext): Promise<void> {
  const loc = parseStoreLocation(ctx.config);
  if (!networkDir(loc).exists()) return;
  const valid: Attachment[] = ctx.validAttachments ?? [];
  const exact = new Set(valid.map((a) => `${a.containerID}\n${a.ifname}`));
  const containers = new Set(valid.map((a) => a.containerID));
  const isValid = (o: Owner): boolean => (o.ifName === undefined ? containers.has(o.containerId) : exact.has(`${o.containerId}\n${o.ifName}`));
  await withNetwork(loc, 'rewrite', ctx.log, (s) => {
    const kept: OwnedFile[] = [];
    const released: string[] = [];
    // No pod survives a reboot: a reservation made before it goes, whatever the runtime lists.
    const previousBoot = new Set(s.index.fromPreviousBoots().map((e) => `${e.key} ${e.name}`));
    for (const { name, reservation: r } of s.net.readReservations()) {
      if (r.kind === 'foreign') {
        ctx.log(`host-local GC: skipped ${s.net.path}/${name}: it is ${r.what}, not a reservation file`);
        continue;
      }
      const fromPreviousBoot = r.kind === 'owner' && previousBoot.has(`${ownerKey(r.owner)} ${name}`);
      if (r.kind === 'owner' && isValid(r.owner) && !fromPreviousBoot) {
        kept.push({ name, owner: r.owner });
        continue;
      }
      s.net.release(name);
      const why = fromPreviousBoot ? ', before this boot' : '';
      released.push(r.kind === 'owner' ? `${name} (${r.owner.containerId}${r.owner.ifName ? `/${r.owner.ifName}` : ''}${why})` : `${name} (no owner)`);
    }
    if (released.length > 0) ctx.log(`host-local GC released ${released.length} address(es) in network ${loc.name}: ${released.join(', ')}`);
    s.index.replace(kept);
  });
}
