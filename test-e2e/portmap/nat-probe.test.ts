import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST_BIN, inNetns, REPO_ROOT, runPlugin, startPlugin, type PluginCall } from '../lib/exec.ts';
import { savedRules } from './lib.ts';
import { takeCalls } from '../lib/call-log.ts';

// On a node whose iptables is iptables-nft, the executable learns over nfnetlink that the shared
// chains and rules are in place and then writes only the container's own rules, without an
// iptables-save. The Node bundle cannot open netlink sockets and always reads the table with
// iptables-save: both run the same calls in twin node namespaces, and must leave the same rules.
const NET = 'probenet';
const EXECUTABLE = { label: 'executable', argv: [join(DIST_BIN, 'portmap')] };
const NODE_BUNDLE = { label: 'node bundle', argv: [process.execPath, join(REPO_ROOT, 'dist/js/portmap.cjs')] };

describe('portmap ADD on iptables-nft: the shared rules read over nfnetlink', () => {
  let ns: NetnsFixture;
  let tools: string;
  let pod: string;
  const nodes: Record<string, string> = {};

  beforeEach(() => {
    ns = new NetnsFixture('np');
    pod = ns.path(ns.create('pod'));
    for (const side of [EXECUTABLE, NODE_BUNDLE]) nodes[side.label] = ns.path(ns.create(side.label === EXECUTABLE.label ? 'exe' : 'js'));
    // iptables-save and ip6tables-save that note each call, ahead of the real ones on PATH.
    tools = mkdtempSync(join(tmpdir(), 'portmap-probe-'));
    for (const tool of ['iptables-save', 'ip6tables-save']) {
      writeFileSync(join(tools, tool), `#!/bin/sh\necho ${tool} >> ${join(tools, 'calls')}\nexec /usr/sbin/${tool} "$@"\n`);
      chmodSync(join(tools, tool), 0o755);
    }
  });
  afterEach(() => {
    ns.cleanup();
    rmSync(tools, { recursive: true, force: true });
  });

  /** The save tools run since the last look (none: no file). */
  const saves = (): string[] => takeCalls(join(tools, 'calls'));
  const prevResult = (n: number, v6 = false) => ({
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0', sandbox: pod }],
    ips: [{ address: `10.98.0.${n}/24`, interface: 0 }, ...(v6 ? [{ address: `fd98::${n}/64`, interface: 0 }] : [])],
  });
  const conf = (n: number, ports: number[], extra: Record<string, unknown> = {}, v6 = false) => ({
    cniVersion: '1.0.0',
    name: NET,
    type: 'portmap',
    runtimeConfig: { portMappings: ports.map((p) => ({ hostPort: p, containerPort: 80, protocol: p % 2 ? 'udp' : 'tcp' })) },
    prevResult: prevResult(n, v6),
    ...extra,
  });
  /** ADD of container `c<n>` on both sides; the iptables-save calls of the executable's ADD. */
  const add = (n: number, config: unknown, path = `${tools}:${process.env.PATH}`): string[] => {
    const run = (side: typeof EXECUTABLE): void => {
      const call: PluginCall = { command: 'ADD', containerId: `c${n}`, netns: pod, config, inNetns: nodes[side.label], env: { PATH: path }, timeoutMs: 20_000 };
      const [binary, ...args] = side.argv;
      const r = runPlugin(binary!, call, args);
      expect(r.code, `${side.label}: ${r.stdout} ${r.stderr}`).toBe(0);
    };
    run(NODE_BUNDLE);
    saves();
    run(EXECUTABLE);
    return saves();
  };
  /** Both families' nat tables alike on both sides (which family's table came first may differ: they are written side by side). */
  const sameRules = (): void => {
    for (const tool of ['iptables-save', 'ip6tables-save']) {
      const [exe, js] = [EXECUTABLE, NODE_BUNDLE].map((side) => savedRules(nodes[side.label]!, tool, '-t', 'nat'));
      expect(exe).toBe(js);
    }
  };
  const inBoth = (argv: string[]): void => {
    for (const node of Object.values(nodes)) expect(inNetns(node, argv).code).toBe(0);
  };

  it('the first ADD reads the table; later ones only write, and the rules match the full path', () => {
    expect(add(1, conf(1, [8080]))).toEqual(['iptables-save']);
    expect(add(2, conf(2, [8082, 5353]))).toEqual([]);
    expect(add(3, conf(3, [8084]))).toEqual([]);
    sameRules();
    const entries = inNetns(nodes[EXECUTABLE.label]!, ['iptables', '-t', 'nat', '-S', 'CNI-HOSTPORT-DNAT']).stdout;
    expect(entries.split('\n').filter((l) => l.startsWith('-A')).length).toBe(4); // c2 has a tcp and a udp entry
  });

  it('a repeated ADD, a missing hook jump or another mark bit send ADD back to iptables-save, which mends them', () => {
    add(1, conf(1, [8080]));
    add(2, conf(2, [8082]));
    // The container's chain exists: its old entry rules must be found by their text.
    expect(add(2, conf(2, [8086]))).toEqual(['iptables-save']);
    sameRules();
    inBoth(['iptables', '-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']);
    expect(add(3, conf(3, [8088]))).toEqual(['iptables-save']);
    expect(inNetns(nodes[EXECUTABLE.label]!, ['iptables', '-t', 'nat', '-S', 'PREROUTING']).stdout).toContain('-j CNI-HOSTPORT-DNAT');
    expect(add(4, conf(4, [8090], { markMasqBit: 14 }))).toEqual(['iptables-save']);
    expect(add(5, conf(5, [8092], { markMasqBit: 14 }))).toEqual([]);
    expect(add(6, conf(6, [8094], { snat: false }))).toEqual([]);
    sameRules();
  });

  it('a hook rule written with nft: no fast path, and ADD says iptables cannot show the table instead of writing into it', () => {
    add(1, conf(1, [8080]));
    const node = nodes[EXECUTABLE.label]!;
    expect(inNetns(node, ['iptables', '-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']).code).toBe(0);
    expect(inNetns(node, ['nft', 'add', 'rule', 'ip', 'nat', 'PREROUTING', 'fib', 'daddr', 'type', 'local', 'jump', 'CNI-HOSTPORT-DNAT']).code).toBe(0);
    const chainsBefore = inNetns(node, ['nft', 'list', 'chains', 'ip']).stdout;
    const call: PluginCall = { command: 'ADD', containerId: 'c2', netns: pod, config: conf(2, [8082]), inNetns: node, env: { PATH: `${tools}:${process.env.PATH}` }, timeoutMs: 20_000 };
    const r = runPlugin(EXECUTABLE.argv[0]!, call);
    expect(r.code).not.toBe(0);
    expect(r.json).toMatchObject({ code: 5 });
    expect(String(r.json?.msg)).toContain('cannot show the nat table');
    expect(saves()).toEqual(['iptables-save']);
    expect(inNetns(node, ['nft', 'list', 'chains', 'ip']).stdout).toBe(chainsBefore);
  });

  it('a fresh node\'s first ADDs, started together, write the shared rules once', async () => {
    // Every one of them finds the shared rules missing; without a lock around read and write,
    // iptables-nft's own retry of an overtaken transaction can write them twice.
    for (let round = 0; round < 6; round++) {
      const node = ns.path(ns.create(`burst${round}`));
      const ids = [0, 1, 2, 3, 4, 5, 6, 7];
      const adds = await Promise.all(
        ids.map((i) => startPlugin(EXECUTABLE.argv[0]!, { command: 'ADD', containerId: `b${i}`, netns: pod, config: conf(10 + i, [9000 + i]), inNetns: node, timeoutMs: 20_000 }).done),
      );
      expect(adds.map((r) => r.code)).toEqual(ids.map(() => 0));
      const save = inNetns(node, ['iptables-save', '-t', 'nat']).stdout;
      for (const shared of [/^-A PREROUTING .*-j CNI-HOSTPORT-DNAT$/gm, /^-A OUTPUT .*-j CNI-HOSTPORT-DNAT$/gm, /^-A POSTROUTING .*-j CNI-HOSTPORT-MASQ$/gm, /^-A CNI-HOSTPORT-SETMARK /gm, /^-A CNI-HOSTPORT-MASQ /gm]) {
        expect(save.match(shared), `round ${round}: ${shared}`).toHaveLength(1);
      }
      expect(save.match(/^-A CNI-HOSTPORT-DNAT /gm)).toHaveLength(ids.length);
    }
  });

  it('an ADD that must write the shared rules waits while another holds the node\'s nat lock', async () => {
    const node = nodes[EXECUTABLE.label]!;
    // flock(1) holds the lock (the node namespace's own file) until its stdin closes.
    const holder = spawn('nsenter', [`--net=${node}`, '--', 'flock', '/proc/self/ns/net', 'sh', '-c', 'echo holding; cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => holder.stdout!.once('data', resolve));
      const add = startPlugin(EXECUTABLE.argv[0]!, { command: 'ADD', containerId: 'c1', netns: pod, config: conf(1, [8080]), inNetns: node, timeoutMs: 20_000 });
      const early = await Promise.race([add.done.then(() => 'finished'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 500))]);
      expect(early).toBe('waiting');
      holder.stdin!.end();
      expect((await add.done).code).toBe(0);
    } finally {
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
  });

  it('dual stack: each family is probed on its own', () => {
    expect(add(1, conf(1, [8080], {}, true)).sort()).toEqual(['ip6tables-save', 'iptables-save']);
    expect(add(2, conf(2, [8082], {}, true))).toEqual([]);
    sameRules();
  });

  it('never on the legacy backend, even with iptables-nft rules of the same names in place', () => {
    add(1, conf(1, [8080]));
    // iptables-restore and -save of the legacy backend first on PATH.
    const legacy = join(tools, 'legacy');
    mkdirSync(legacy);
    symlinkSync('/usr/sbin/xtables-legacy-multi', join(legacy, 'iptables-restore'));
    writeFileSync(join(legacy, 'iptables-save'), `#!/bin/sh\necho legacy-save >> ${join(tools, 'calls')}\nexec /usr/sbin/iptables-legacy-save "$@"\n`);
    chmodSync(join(legacy, 'iptables-save'), 0o755);
    expect(add(2, conf(2, [8082]), `${legacy}:${process.env.PATH}`)).toEqual(['legacy-save']);
    const rules = inNetns(nodes[EXECUTABLE.label]!, ['iptables-legacy-save', '-t', 'nat']).stdout;
    expect(rules).toContain('-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT');
    expect(rules).toContain('--set-xmark 0x2000/0x2000');
  });
});
