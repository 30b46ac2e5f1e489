import { describe, expect, it } from 'vitest';
import { parseCidr } from '@cni-ts/core/net/ip';
import { RecordingRunner } from '@cni-ts/linux/run';
import { deleteScript, instanceComment, instanceHash, networkHash, NftablesMasq, setupScript } from './nftables.ts';

const owner = { network: 'mynet', containerId: 'abc', ifName: 'eth0' };

const listing = (rules: Array<{ handle: number; comment: string }>): string =>
  JSON.stringify({ nftables: [{ metainfo: {} }, ...rules.map((r) => ({ rule: { family: 'inet', table: 'cni_plugins_masquerade', chain: 'masq_checks', ...r } }))] });

describe('nftables masquerade (reference layout)', () => {
  it('comments each rule with hash(net)-hash(if:cid) and a readable tail', () => {
    expect(networkHash('mynet')).toMatch(/^[0-9a-f]{16}$/);
    expect(instanceHash(owner)).toMatch(new RegExp(`^${networkHash('mynet')}-[0-9a-f]{16}$`));
    expect(instanceComment(owner)).toBe(`${instanceHash(owner)}, net: mynet, if: eth0, id: abc`);
    expect(instanceComment({ ...owner, containerId: 'x'.repeat(200) })).toHaveLength(128);
  });

  it('builds one transaction with the table, both chains and a rule per address', () => {
    const s = setupScript(owner, [parseCidr('10.22.0.5/16')!, parseCidr('fd00::5/64')!]);
    expect(s).toContain('add chain inet cni_plugins_masquerade postrouting { type nat hook postrouting priority srcnat ; }');
    expect(s).toContain('add rule inet cni_plugins_masquerade postrouting goto masq_checks');
    expect(s).toContain(`add rule inet cni_plugins_masquerade masq_checks ip saddr == 10.22.0.5 ip daddr != 10.22.0.0/16 masquerade comment "${instanceComment(owner)}"`);
    expect(s).toContain('ip6 saddr == fd00::5 ip6 daddr != fd00::/64 masquerade');
  });

  it('DEL deletes the rules whose comment starts with this attachment\'s hash, by handle', async () => {
    const mine = instanceComment(owner);
    const theirs = instanceComment({ ...owner, containerId: 'other' });
    const runner = new RecordingRunner((c) => (c.argv[1] === '-j' ? { stdout: listing([{ handle: 7, comment: mine }, { handle: 8, comment: theirs }]) } : {}));
    await new NftablesMasq(runner).teardown(owner);
    expect(runner.calls[1]).toEqual({ argv: ['nft', '-f', '-'], input: deleteScript([7]) });
  });

  it('GC keeps valid attachments and removes the rest of the network', async () => {
    const keep = instanceComment(owner);
    const stale = instanceComment({ ...owner, containerId: 'gone' });
    const foreign = instanceComment({ ...owner, network: 'othernet', containerId: 'gone' });
    const runner = new RecordingRunner((c) =>
      c.argv[1] === '-j' ? { stdout: listing([{ handle: 1, comment: keep }, { handle: 2, comment: stale }, { handle: 3, comment: foreign }]) } : {},
    );
    await new NftablesMasq(runner).gc('mynet', [{ containerID: 'abc', ifname: 'eth0' }]);
    expect(runner.calls[1]!.input).toBe('delete rule inet cni_plugins_masquerade masq_checks handle 2\n');
  });

  it('a missing table means nothing to remove', async () => {
    const runner = new RecordingRunner(() => ({ code: 1, stderr: 'Error: No such file or directory\n' }));
    await new NftablesMasq(runner).teardown(owner);
    expect(runner.calls).toHaveLength(1);
  });
});
