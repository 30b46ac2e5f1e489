import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NetnsFixture } from '@cni-ts/linux/testing';

// The executables answer "does this nftables table / chain exist" over nfnetlink instead of
// starting `nft` (packages/linux/src/netfilter/nft-probe-runner.ts). Each answer must be nft's
// own, word for word; what exists must still be listed by nft.

const RUN = join(dirname(fileURLToPath(import.meta.url)), 'run-nft.ts');
/** The Bun that builds the executables (tools/build/options.mjs resolves it the same way). */
const bunBinary = createRequire(import.meta.url).resolve('@oven/bun-linux-x64/bin/bun');

let fx: NetnsFixture;
afterEach(() => fx?.cleanup());

const real = (ns: string, argv: string[]) => {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
};

const probed = (ns: string, argv: string[]) => {
  const r = spawnSync('ip', ['netns', 'exec', ns, bunBinary, RUN, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`run-nft failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { stdout: string; stderr: string; code: number };
};

describe('nftables existence answered over nfnetlink, as nft answers', () => {
  it('lists tables (none, then several families in creation order) and refuses missing tables and chains in nft words', () => {
    fx = new NetnsFixture('nft');
    const ns = fx.create('n');
    expect(probed(ns, ['nft', 'list', 'tables'])).toEqual(real(ns, ['nft', 'list', 'tables']));
    spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: 'add table inet t1\nadd chain inet t1 c1\nadd table ip6 t2\nadd table bridge nat\nadd table ip t4\n' });
    const tables = real(ns, ['nft', 'list', 'tables']);
    expect(tables.stdout.trim().split('\n')).toHaveLength(4);
    expect(probed(ns, ['nft', 'list', 'tables'])).toEqual(tables);
    for (const argv of [
      ['nft', '-j', 'list', 'chain', 'inet', 'cni_ts_hostport', 'dn-0123'],
      ['nft', '-j', 'list', 'chain', 'inet', 't1', 'nope'],
      ['nft', 'list', 'table', 'inet', 'cni_ts_hostport'],
      ['nft', '-j', 'list', 'table', 'ip', 'cni_hostport'],
      ['nft', '-j', 'list', 'table', 'arp', 'nat'],
    ]) {
      const expected = real(ns, argv);
      expect(expected.code, argv.join(' ')).toBe(1);
      expect(probed(ns, argv), argv.join(' ')).toEqual(expected);
    }
  });

  it('leaves listings of what exists, and every other command, to nft', () => {
    fx = new NetnsFixture('nft');
    const ns = fx.create('n');
    spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: 'add table bridge nat\nadd chain bridge nat postrouting\n' });
    for (const argv of [
      ['nft', '-j', 'list', 'table', 'bridge', 'nat'],
      ['nft', '-j', 'list', 'chain', 'bridge', 'nat', 'postrouting'],
      ['nft', '-j', 'list', 'tables'],
      ['nft', '-f', '-'],
      ['nft', 'list', 'ruleset'],
    ]) {
      expect(probed(ns, argv).code, argv.join(' ')).toBe(99);
    }
  });
});
