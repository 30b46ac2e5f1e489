import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { BUN, inNetns, type ProcessOutput } from '../lib/exec.ts';

// The executables answer "does this nftables table / chain exist" over nfnetlink instead of
// starting `nft` (packages/linux/src/netfilter/nft-probe-runner.ts). Each answer must be nft's
// own, word for word; what exists must still be listed by nft.

const RUN = join(dirname(fileURLToPath(import.meta.url)), 'run-nft.ts');

let fx: NetnsFixture;
afterEach(() => fx?.cleanup());

/** The probe's answer in namespace `ns`; `path`: the PATH it runs with. */
const probed = (ns: string, argv: string[], path = process.env.PATH ?? '') => {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'env', `PATH=${path}`, BUN, RUN, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`run-nft failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ProcessOutput;
};

describe('nftables existence answered over nfnetlink, as nft answers', () => {
  it('lists tables (none, then several families in creation order) and refuses missing tables and chains in nft words', () => {
    fx = new NetnsFixture('nft');
    const ns = fx.create('n');
    expect(probed(ns, ['nft', 'list', 'tables'])).toEqual(inNetns(fx.path(ns), ['nft', 'list', 'tables']));
    spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: 'add table inet t1\nadd chain inet t1 c1\nadd table ip6 t2\nadd table bridge nat\nadd table ip t4\n' });
    const tables = inNetns(fx.path(ns), ['nft', 'list', 'tables']);
    expect(tables.stdout.trim().split('\n')).toHaveLength(4);
    expect(probed(ns, ['nft', 'list', 'tables'])).toEqual(tables);
    for (const argv of [
      ['nft', '-j', 'list', 'chain', 'inet', 'cni_ts_hostport', 'dn-0123'],
      ['nft', '-j', 'list', 'chain', 'inet', 't1', 'nope'],
      ['nft', 'list', 'table', 'inet', 'cni_ts_hostport'],
      ['nft', '-j', 'list', 'table', 'ip', 'cni_hostport'],
      ['nft', '-j', 'list', 'table', 'arp', 'nat'],
    ]) {
      const expected = inNetns(fx.path(ns), argv);
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

  it('answers nothing itself where nft is not installed: nft\'s own "not found" must reach the caller', () => {
    fx = new NetnsFixture('nft');
    const ns = fx.create('n');
    expect(probed(ns, ['nft', 'list', 'tables'], '/nonexistent-cni-ts-bin').code).toBe(99);
    expect(probed(ns, ['nft', '-j', 'list', 'table', 'ip', 'cni_hostport'], '/nonexistent-cni-ts-bin').code).toBe(99);
  });
});
