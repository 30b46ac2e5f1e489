import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST_BIN, inNetns, runPlugin, type PluginCall } from '../lib/exec.ts';
import { takeCalls } from '../lib/call-log.ts';

// A DEL that finds nothing to remove (a pod without masquerade or hostPorts, the runtime's second
// DEL) decides so in-process, over rtnetlink and nfnetlink, and starts no process; a DEL that
// finds something still removes all of it. Every tool a plugin may start is a logging wrapper
// ahead of the real one on PATH. The iptables wrappers are reached through a file named
// xtables-nft-multi (or -legacy-multi), so that the plugins see the iptables variant they would
// see on a real node.
const NET = 'quietnet';

type Backend = 'iptables-nft' | 'iptables-legacy' | 'nftables';
const IPTABLES_TOOLS = ['iptables', 'ip6tables', 'iptables-save', 'ip6tables-save', 'iptables-restore', 'ip6tables-restore'];
const OTHER_TOOLS = ['ip', 'nft', 'conntrack'];

describe.each<Backend>(['iptables-nft', 'iptables-legacy', 'nftables'])('DEL on %s', (backend) => {
  let ns: NetnsFixture;
  let tools: string;
  let node: string;
  let pod: string;
  let bridge: string;

  beforeEach(() => {
    ns = new NetnsFixture('pfqd');
    node = ns.path(ns.create('node'));
    pod = ns.path(ns.create('pod'));
    bridge = `${ns.prefix.slice(0, 11)}b`;
    tools = mkdtempSync(join(tmpdir(), 'quiet-del-'));
    const log = join(tools, 'calls');
    const multi = backend === 'iptables-legacy' ? 'xtables-legacy-multi' : 'xtables-nft-multi';
    mkdirSync(join(tools, 'xt'));
    writeFileSync(join(tools, 'xt', multi), `#!/bin/sh\necho "$(basename "$0") $*" >> ${log}\nexec /usr/sbin/${multi} "$(basename "$0")" "$@"\n`);
    chmodSync(join(tools, 'xt', multi), 0o755);
    for (const tool of IPTABLES_TOOLS) symlinkSync(join(tools, 'xt', multi), join(tools, tool));
    for (const tool of OTHER_TOOLS) {
      const real = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p))!;
      writeFileSync(join(tools, tool), `#!/bin/sh\necho "${tool} $*" >> ${log}\nexec ${real} "$@"\n`);
      chmodSync(join(tools, tool), 0o755);
    }
  });
  afterEach(() => {
    ns.cleanup();
    rmSync(tools, { recursive: true, force: true });
  });

  /** The processes the plugins started since the last look. */
  const started = (): string[] => takeCalls(join(tools, 'calls'));

  const conflist = (heavy: boolean) => ({
    cniVersion: '1.0.0',
    name: NET,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: heavy,
        ...(backend === 'nftables' && { ipMasqBackend: 'nftables' }),
        ipam: { type: 'host-local', dataDir: join(tools, 'ipam'), ranges: [[{ subnet: '10.97.0.0/24' }], [{ subnet: 'fd97::/64' }]] },
      },
      { type: 'portmap', capabilities: { portMappings: true }, ...(backend === 'nftables' && { backend: 'nftables' }) },
    ],
  });
  const mappings = [{ hostPort: 30080, containerPort: 80, protocol: 'tcp' }, { hostPort: 30053, containerPort: 53, protocol: 'udp' }];

  /** One call of every plugin of the chain, as libcni makes it (DEL in reverse, with the ADD's result). */
  const chain = (command: 'ADD' | 'DEL', heavy: boolean, netns: string, prevResult?: unknown): unknown => {
    const list = conflist(heavy);
    let result = prevResult;
    for (const plugin of command === 'ADD' ? list.plugins : [...list.plugins].reverse()) {
      const runtimeConfig = plugin.type === 'portmap' && heavy ? { portMappings: mappings } : undefined;
      const config = { ...plugin, name: NET, cniVersion: list.cniVersion, ...(runtimeConfig && { runtimeConfig }), ...(result !== undefined && { prevResult: result }) };
      const call: PluginCall = { command, containerId: 'quiet1', netns, config, inNetns: node, env: { PATH: `${tools}:${process.env.PATH}` }, timeoutMs: 20_000 };
      const r = runPlugin(join(DIST_BIN, plugin.type), call);
      expect(r.code, `${plugin.type} ${command}: ${r.stdout} ${r.stderr}`).toBe(0);
      if (command === 'ADD') result = r.json;
    }
    return result;
  };

  /** What of this pod is left on the node: links besides the bridge, reservations, firewall rules. */
  const leftovers = (): string[] => {
    const out: string[] = [];
    const links = JSON.parse(inNetns(node, ['ip', '-json', 'link', 'show']).stdout) as Array<{ ifname: string }>;
    out.push(...links.map((l) => l.ifname).filter((n) => n !== 'lo' && n !== bridge).map((n) => `link ${n}`));
    const ipam = join(tools, 'ipam', NET);
    if (existsSync(ipam)) out.push(...readdirSync(ipam).filter((f) => /^(\d+\.){3}\d+$/.test(f) || (/^[0-9a-f:]+$/.test(f) && f.includes(':'))).map((f) => `reservation ${f}`));
    for (const save of backend === 'iptables-legacy' ? ['iptables-legacy-save', 'ip6tables-legacy-save'] : ['iptables-nft-save', 'ip6tables-nft-save']) {
      const rules = inNetns(node, [save, '-t', 'nat']).stdout;
      out.push(...rules.split('\n').filter((l) => /quiet1|^:CNI-(?!HOSTPORT-)/.test(l)).map((l) => `${save}: ${l}`));
    }
    const nft = inNetns(node, ['nft', 'list', 'ruleset']).stdout;
    out.push(...nft.split('\n').filter((l) => /quiet1|chain [ds]n-|30080|30053/.test(l)).map((l) => `nft: ${l.trim()}`));
    return out;
  };

  it('a pod without masquerade or hostPorts: ADD and both DELs start no process where the kernel can tell, and leave nothing', () => {
    const result = chain('ADD', false, pod);
    expect(started()).toEqual([]);
    chain('DEL', false, pod, result);
    const firstDel = started();
    chain('DEL', false, '');
    const secondDel = started();
    if (backend === 'iptables-legacy') {
      // Legacy iptables has no in-process reader here: portmap's DEL reads the nat tables.
      expect([...firstDel, ...secondDel].every((c) => /^ip6?tables-save -t nat$/.test(c))).toBe(true);
    } else {
      expect({ firstDel, secondDel }).toEqual({ firstDel: [], secondDel: [] });
    }
    expect(leftovers()).toEqual([]);
  });

  it('a pod with masquerade and hostPorts: DEL with the netns removes all of it; the second DEL starts no process where the kernel can tell', () => {
    const result = chain('ADD', true, pod);
    started();
    expect(leftovers().length).toBeGreaterThan(0);
    chain('DEL', true, pod, result);
    const firstDel = started();
    expect(firstDel.length).toBeGreaterThan(0); // the rules were there: removing them takes the tools
    // On iptables-nft, each DEL that knows what its ADD wrote (the mappings, the addresses in
    // prevResult) removes the rules over nfnetlink; only the UDP mapping's conntrack flush runs.
    if (backend === 'iptables-nft') expect(firstDel.filter((c) => !c.startsWith('conntrack -D'))).toEqual([]);
    expect(leftovers()).toEqual([]);
    chain('DEL', true, '');
    const secondDel = started();
    if (backend === 'iptables-legacy') expect(secondDel.every((c) => /^ip6?tables-save -t nat$/.test(c))).toBe(true);
    else expect(secondDel).toEqual([]);
    expect(leftovers()).toEqual([]);
  });
});
