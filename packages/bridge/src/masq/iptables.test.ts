import { describe, expect, it } from 'vitest';
import { parseCidr } from '@cni-ts/core/net/ip';
import { RecordingRunner } from '@cni-ts/linux/run';
import { chainName, IptablesMasq, ruleComment, setupText, staleChains, teardownText } from './iptables.ts';

const owner = { network: 'mynet', containerId: 'abc', ifName: 'eth0' };
const chain = chainName('mynet', 'abc');
const comment = '"name: \\"mynet\\" id: \\"abc\\""';

/** What iptables-save prints after setupText was applied (iptables normalises -d and -s). */
const saved = (ch: string, id: string, src: string): string =>
  [
    '*nat',
    ':POSTROUTING ACCEPT [0:0]',
    `:${ch} - [0:0]`,
    `-A POSTROUTING -s ${src}/32 -m comment --comment "name: \\"mynet\\" id: \\"${id}\\"" -j ${ch}`,
    `-A ${ch} -d 10.22.0.0/16 -m comment --comment "name: \\"mynet\\" id: \\"${id}\\"" -j ACCEPT`,
    `-A ${ch} ! -d 224.0.0.0/4 -m comment --comment "name: \\"mynet\\" id: \\"${id}\\"" -j MASQUERADE`,
    'COMMIT',
  ].join('\n');

describe('iptables masquerade (reference layout)', () => {
  it('names the chain CNI- + sha512(net+cid), 28 characters, and comments like the reference', () => {
    // computed independently: `printf mynetabc | sha512sum | cut -c1-24`
    expect(chain).toBe('CNI-e88f49d94512ff752ebe6070');
    expect(ruleComment('mynet', 'abc')).toBe('name: "mynet" id: "abc"');
  });

  it('builds one restore transaction: chain, ACCEPT per subnet, one MASQUERADE, a POSTROUTING jump per address', () => {
    const text = setupText(owner, 4, [parseCidr('10.22.0.5/16')!, parseCidr('10.23.0.5/24')!]);
    expect(text).toBe(
      [
        '*nat',
        `:${chain} - [0:0]`,
        `-A ${chain} -d 10.22.0.5/16 -j ACCEPT -m comment --comment ${comment}`,
        `-A ${chain} -d 10.23.0.5/24 -j ACCEPT -m comment --comment ${comment}`,
        `-A ${chain} ! -d 224.0.0.0/4 -j MASQUERADE -m comment --comment ${comment}`,
        `-A POSTROUTING -s 10.22.0.5 -j ${chain} -m comment --comment ${comment}`,
        `-A POSTROUTING -s 10.23.0.5 -j ${chain} -m comment --comment ${comment}`,
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(setupText(owner, 6, [parseCidr('fd00::5/64')!])).toContain('! -d ff00::/8 -j MASQUERADE');
  });

  it('tears down by chain name alone: jumps, flush, delete in one transaction', () => {
    const text = teardownText(saved(chain, 'abc', '10.22.0.5'), new Set([chain]));
    expect(text.split('\n')).toEqual([
      '*nat',
      `-D POSTROUTING -s 10.22.0.5/32 -m comment --comment "name: \\"mynet\\" id: \\"abc\\"" -j ${chain}`,
      `-F ${chain}`,
      `-X ${chain}`,
      'COMMIT',
      '',
    ]);
    expect(teardownText('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n', new Set([chain]))).toBe('');
  });

  it('finds stale chains of one network by their comments', () => {
    const other = chainName('mynet', 'gone');
    const text = `${saved(chain, 'abc', '10.22.0.5')}\n${saved(other, 'gone', '10.22.0.6')}`;
    expect(staleChains(text, 'mynet', new Set(['abc']))).toEqual(new Set([other]));
    expect(staleChains(text, 'othernet', new Set())).toEqual(new Set());
  });

  it('DEL reads each family once and restores only where something is left', async () => {
    const runner = new RecordingRunner((c) => (c.argv[0] === 'iptables-save' ? { stdout: saved(chain, 'abc', '10.22.0.5') } : c.argv[0] === 'ip6tables-save' ? { stdout: '*nat\nCOMMIT\n' } : {}));
    await new IptablesMasq(runner).teardown(owner);
    expect(runner.calls.map((c) => c.argv.join(' ')).sort()).toEqual(['ip6tables-save -t nat', 'iptables-restore --noflush -w 5', 'iptables-save -t nat']);
  });

  it('DEL reads only the families of the addresses it is told (prevResult known)', async () => {
    const runner = new RecordingRunner(() => ({ stdout: '*nat\nCOMMIT\n' }));
    await new IptablesMasq(runner).teardown(owner, { mine: [parseCidr('fd00::5/64')!] });
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual(['ip6tables-save -t nat']);
  });

  describe('two interfaces of one container share the chain', () => {
    const both = [
      '*nat',
      ':POSTROUTING ACCEPT [0:0]',
      `:${chain} - [0:0]`,
      `-A POSTROUTING -s 10.22.0.5/32 -m comment --comment ${comment} -j ${chain}`,
      `-A POSTROUTING -s 10.22.0.6/32 -m comment --comment ${comment} -j ${chain}`,
      `-A ${chain} ! -d 224.0.0.0/4 -m comment --comment ${comment} -j MASQUERADE`,
      'COMMIT',
    ].join('\n');
    const is = (ip: string) => (src: { value: bigint } | undefined) => src?.value === parseCidr(`${ip}/32`)!.value;

    it("removes only the interface's own jump while the other still jumps to the chain", () => {
      expect(teardownText(both, new Set([chain]), is('10.22.0.6')).split('\n')).toEqual([
        '*nat',
        `-D POSTROUTING -s 10.22.0.6/32 -m comment --comment ${comment} -j ${chain}`,
        'COMMIT',
        '',
      ]);
    });

    it('removes the chain with its last jump', () => {
      const one = both.replace(/^-A POSTROUTING -s 10\.22\.0\.5.*\n/m, '');
      expect(teardownText(one, new Set([chain]), is('10.22.0.6'))).toContain(`-X ${chain}`);
    });

    it('without its addresses, keeps the jumps of addresses other interfaces hold (asked only then)', async () => {
      const runner = new RecordingRunner((c) => (c.argv[0] === 'iptables-save' ? { stdout: both } : { stdout: '*nat\nCOMMIT\n' }));
      let asked = 0;
      const heldByOthers = async () => (asked++, [parseCidr('10.22.0.5/24')!]);
      await new IptablesMasq(runner).teardown(owner, { heldByOthers });
      expect(asked).toBe(1);
      const restore = runner.calls.find((c) => c.argv[0] === 'iptables-restore')!;
      expect(restore.input).toContain('-D POSTROUTING -s 10.22.0.6/32');
      expect(restore.input).not.toContain('10.22.0.5');
      expect(restore.input).not.toContain(`-X ${chain}`);
    });
  });

  it('cuts a comment to iptables\' 255 bytes and still finds stale chains by it', () => {
    const id = 'c'.repeat(300);
    const cut = ruleComment('mynet', id);
    expect(cut).toHaveLength(255);
    expect(cut.endsWith('...')).toBe(true);
    const long = chainName('mynet', id);
    const line = `-A ${long} ! -d 224.0.0.0/4 -m comment --comment "${cut.replace(/"/g, '\\"')}" -j MASQUERADE`;
    expect(staleChains(line, 'mynet', new Set([id]))).toEqual(new Set());
    expect(staleChains(line, 'mynet', new Set(['abc']))).toEqual(new Set([long]));
  });

  it('DEL succeeds when iptables is not installed', async () => {
    const runner = new RecordingRunner((c) => ({ code: 127, stderr: `${c.argv[0]}: spawn ${c.argv[0]} ENOENT` }));
    await expect(new IptablesMasq(runner).teardown(owner)).resolves.toBeUndefined();
  });
});
