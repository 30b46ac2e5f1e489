import { CniError, delegate, ErrorCode, type CallContext } from '@cni-ts/core';
import { familyBits, formatCidr, formatIP, networkOf, parseCidr, parseIP, sameIP, type Cidr, type IP } from '@cni-ts/core/net/ip';
import { showLink, showLinks, showRoutes } from '@cni-ts/linux/ip/query';
import type { CommandRunner } from '@cni-ts/linux/run';
import { owner } from './add.ts';
import { parseConfig } from './config.ts';
import { CONTAINER_IF_INDEX } from './l3.ts';
import { checkMasq } from './masq/index.ts';

const fail = (msg: string): CniError => new CniError(ErrorCode.Internal, msg);

/**
 * CHECK against prevResult: IPAM's reservation, the bridge (kind, MAC, promiscuous flag), the
 * veth pair (container end in CNI_NETNS with the recorded MAC, its peer a port of the bridge),
 * the addresses and routes in the container, and the masquerade rules.
 */
export async function check(ctx: CallContext, runner: CommandRunner): Promise<void> {
  const cfg = parseConfig(ctx.config, ctx.cniArgs);
  const prev = ctx.prevResult;
  if (!prev) throw new CniError(ErrorCode.InvalidConfig, 'CHECK needs "prevResult" (the result of ADD)');
  if (cfg.ipamType) await delegate(ctx, cfg.ipamType, 'CHECK', ctx.config);

  const ifaces = prev.interfaces ?? [];
  const brIf = ifaces.find((i) => i.name === cfg.bridge && !i.sandbox);
  const contIdx = ifaces.findIndex((i) => i.name === ctx.ifName && i.sandbox === ctx.netns);
  const contIf = ifaces[contIdx];
  if (!brIf) throw fail(`prevResult lists no interface for bridge "${cfg.bridge}"`);
  if (!contIf) throw fail(`prevResult lists no interface "${ctx.ifName}" in sandbox ${ctx.netns}`);

  const [hostLinks, cont] = await Promise.all([showLinks(runner, ''), showLink(runner, ctx.netns, ctx.ifName)]);
  const br = hostLinks.find((l) => l.name === cfg.bridge);
  if (!br) throw fail(`bridge "${cfg.bridge}" does not exist`);
  if (br.kind !== 'bridge') throw fail(`"${cfg.bridge}" is not a bridge`);
  if (brIf.mac && brIf.mac.toLowerCase() !== br.mac) throw fail(`bridge "${cfg.bridge}" has MAC ${br.mac}, prevResult says ${brIf.mac}`);
  if (br.promisc !== cfg.promiscMode) throw fail(`bridge "${cfg.bridge}" promiscuous mode is ${br.promisc ? 'on' : 'off'}, config says ${cfg.promiscMode ? 'on' : 'off'}`);

  if (!cont) throw fail(`interface "${ctx.ifName}" not found in ${ctx.netns}`);
  if (cont.kind !== 'veth') throw fail(`container interface "${ctx.ifName}" is not a veth`);
  if (contIf.mac && contIf.mac.toLowerCase() !== cont.mac) throw fail(`container interface "${ctx.ifName}" has MAC ${cont.mac}, prevResult says ${contIf.mac}`);
  const peer = hostLinks.find((l) => l.ifindex === cont.linkIndex && l.kind === 'veth');
  if (!peer) throw fail(`the host end of "${ctx.ifName}" is missing`);
  if (peer.master !== cfg.bridge) throw fail(`host veth "${peer.name}" is not a port of bridge "${cfg.bridge}"`);

  const wanted = (prev.ips ?? []).filter((ip) => ip.interface === undefined || ip.interface === contIdx || ip.interface === CONTAINER_IF_INDEX);
  const addrs: Cidr[] = [];
  for (const ip of wanted) {
    const want = parseCidr(ip.address);
    if (!want) throw fail(`prevResult has an invalid address ${ip.address}`);
    addrs.push(want);
    const present = cont.addrs.some((a) => a.prefixlen === want.prefix && isSame(parseIP(a.local), want));
    if (!present) throw fail(`address ${ip.address} is not on "${ctx.ifName}"`);
  }
  await checkRoutes(runner, ctx, prev.routes ?? []);
  if (cfg.ipMasq && addrs.length > 0) {
    const missing = await checkMasq(runner, cfg.ipMasqBackend, owner(ctx), addrs);
    if (missing) throw fail(missing);
  }
}

async function checkRoutes(runner: CommandRunner, ctx: CallContext, routes: Array<{ dst: string; gw?: string }>): Promise<void> {
  if (routes.length === 0) return;
  const families = [...new Set(routes.map((r) => parseCidr(r.dst)?.family ?? 4))];
  const tables = Object.fromEntries(await Promise.all(families.map(async (f) => [f, await showRoutes(runner, ctx.netns, f)] as const)));
  for (const r of routes) {
    const dst = parseCidr(r.dst);
    if (!dst) throw fail(`prevResult has an invalid route destination ${r.dst}`);
    const net = networkOf(dst);
    const text = net.prefix === 0 ? 'default' : net.prefix === familyBits(net.family) ? formatIP(net) : formatCidr(net);
    const found = (tables[net.family] ?? []).some(
      (x) => x.dst === text && (r.gw === undefined || (x.gateway !== undefined && isSame(parseIP(x.gateway), parseIP(r.gw)))),
    );
    if (!found) throw fail(`route to ${r.dst}${r.gw ? ` via ${r.gw}` : ''} is missing in ${ctx.netns}`);
  }
}

/** Both parsed, and the same address. */
const isSame = (a: IP | undefined, b: IP | undefined): boolean => a !== undefined && b !== undefined && sameIP(a, b);
