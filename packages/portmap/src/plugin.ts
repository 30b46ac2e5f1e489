import { CniError, ErrorCode, type CallContext, type Plugin, type Result } from '@cni-ts/core';
import type { CommandRunner } from '@cni-ts/linux';
import type { FileLock } from '@cni-ts/linux/lock';
import type { Family } from '@cni-ts/core/net/ip';
import { resultFamilies } from '@cni-ts/core/net/result-families';
import { parseConfig, type BackendName, type PortmapConfig } from './config.ts';
import { flushUdpConntrack } from './conntrack.ts';
import type { Forwarder, UdpPort } from './forwarder.ts';
import { IptablesForwarder } from './iptables/forwarder.ts';
import type { NatProbe } from './iptables/nat-probe.ts';
import { enableRouteLocalnet, type HostFiles } from './localnet.ts';
import { containerTargets } from './mappings.ts';
import type { Attachment } from './naming.ts';
import { NftablesForwarder } from './nftables/forwarder.ts';

export interface PortmapDeps {
  runner: CommandRunner;
  files: HostFiles;
  /** Reads the iptables nat table in-process where it can, so that most ADDs need no iptables-save. */
  natProbe?: NatProbe;
  /** One ADD at a time writes the shared iptables rules of this node's nat table. */
  natLock?: () => Promise<FileLock>;
}

const attachment = (ctx: CallContext, conf: PortmapConfig): Attachment => ({ network: conf.network, containerId: ctx.containerId, ifName: ctx.ifName });

function requirePrevResult(ctx: CallContext): Result {
  if (!ctx.prevResult) throw new CniError(ErrorCode.InvalidConfig, 'portmap must be called as a chained plugin: "prevResult" is missing');
  return ctx.prevResult;
}

const udpOf = (conf: PortmapConfig, families: readonly Family[]): UdpPort[] =>
  conf.mappings.filter((m) => m.protocol === 'udp').flatMap((m) => families.map((family) => ({ family, port: m.hostPort })));

const NO_BACKEND = 'portmap: neither iptables nor nftables can read the nat table here (missing tools or CAP_NET_ADMIN)';

export function createPortmap({ runner, files, natProbe, natLock }: PortmapDeps): Plugin {
  const forwarders: Record<BackendName, Forwarder> = {
    iptables: new IptablesForwarder(runner, natProbe, natLock),
    nftables: new NftablesForwarder(runner),
  };

  /** The configured backend, or iptables when usable, else nftables (as the reference chooses). */
  async function choose(conf: PortmapConfig): Promise<Forwarder> {
    if (conf.backend) return forwarders[conf.backend];
    if (await forwarders.iptables.usable()) return forwarders.iptables;
    if (await forwarders.nftables.usable()) return forwarders.nftables;
    throw new CniError(ErrorCode.IoFailure, NO_BACKEND);
  }

  return {
    name: 'portmap',

    async add(ctx) {
      const conf = parseConfig(ctx.config);
      const prev = requirePrevResult(ctx);
      const targets = containerTargets(prev, ctx.ifName);
      if (conf.mappings.length === 0 || targets.length === 0) return prev;
      const forwarder = await choose(conf);
      await forwarder.add({ att: attachment(ctx, conf), conf, targets });
      const v4 = targets.find((t) => t.family === 4);
      if (v4 && conf.snat && !conf.masqAll) {
        try {
          enableRouteLocalnet(files, v4.ip);
        } catch (err) {
          ctx.log(`portmap: cannot set route_localnet for ${v4.ip}: ${(err as Error).message}`);
        }
      }
      await flushUdpConntrack(runner, udpOf(conf, targets.map((t) => t.family)), ctx.log);
      return prev;
    },

    async del(ctx) {
      const conf = parseConfig(ctx.config);
      const att = attachment(ctx, conf);
      // Rules are found by their names, not by runtimeConfig, netns or prevResult (any may be
      // missing on DEL: plugins#509), and in both backends: the node may have switched.
      const families = resultFamilies(ctx.prevResult);
      const removed = await Promise.all(Object.values(forwarders).map((f) => f.remove(att, families, conf)));
      // Only the UDP ports of rules this DEL removed: where nothing was left (a repeated DEL),
      // no entry can point at them any more, and a flush would only start conntrack for nothing.
      await flushUdpConntrack(runner, removed.flat(), ctx.log);
    },

    async check(ctx) {
      const conf = parseConfig(ctx.config);
      const prev = requirePrevResult(ctx);
      const targets = containerTargets(prev, ctx.ifName);
      if (conf.mappings.length === 0 || targets.length === 0) return;
      await (await choose(conf)).check({ att: attachment(ctx, conf), conf, targets });
    },

    async status(ctx) {
      const conf = parseConfig(ctx.config);
      if (conf.backend && !(await forwarders[conf.backend].usable())) {
        throw new CniError(ErrorCode.PluginNotAvailable, `portmap: the configured backend "${conf.backend}" cannot read the nat table here`);
      }
      if (!conf.backend && !(await forwarders.iptables.usable()) && !(await forwarders.nftables.usable())) {
        throw new CniError(ErrorCode.PluginNotAvailable, NO_BACKEND);
      }
    },

    async gc(ctx) {
      const conf = parseConfig(ctx.config);
      const keep = (ctx.validAttachments ?? []).map((a) => ({ network: conf.network, containerId: a.containerID, ifName: a.ifname }));
      // Keep going past a failing backend, then report everything (SPEC: GC).
      const errors: string[] = [];
      const flushed: UdpPort[] = [];
      for (const f of Object.values(forwarders)) {
        try {
          flushed.push(...(await f.gc(conf.network, keep)));
        } catch (err) {
          errors.push(`${f.name}: ${(err as Error).message}`);
        }
      }
      await flushUdpConntrack(runner, flushed, ctx.log);
      if (errors.length > 0) throw new CniError(ErrorCode.Internal, `portmap GC: ${errors.join('; ')}`);
    },
  };
}
