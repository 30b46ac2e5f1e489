import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_BIN, runPlugin } from '../lib/exec.ts';
import { PortmapNode, ruleset, type AddResult } from './lib.ts';

// Config values that try to add a rule or a line to portmap's iptables-restore or `nft -f`
// script, or to decide the packet's fate before portmap's DNAT. Each goes to the portmap
// executable as a runtime would send it (a real prevResult of a pod on a real bridge), and must
// come back as code 7 with the node's ruleset exactly as it was.
const NET = 'ctscfnet';
const MAPPINGS = [{ hostPort: 18481, containerPort: 80, protocol: 'tcp' }];

const HOSTILE: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a chain named like an option', { externalSetMarkChain: '-j' }, /^externalSetMarkChain: must be an iptables chain name/],
  ['a chain name with a line break and a rule', { externalSetMarkChain: 'X\n-A INPUT -j DROP' }, /^externalSetMarkChain: must be an iptables chain name/],
  ['a chain name with a quote', { externalSetMarkChain: 'X" -j DROP "' }, /^externalSetMarkChain: must be an iptables chain name/],
  ['a chain named like a target', { externalSetMarkChain: 'ACCEPT' }, /^externalSetMarkChain: "ACCEPT" is reserved/],
  ['a target in the conditions', { conditionsV4: ['-j', 'ACCEPT'] }, /^conditionsV4\[0\]: "-j" is an iptables command, target or table option/],
  ['a goto after a match', { conditionsV4: ['-s', '10.0.0.0/8', '-g', 'INPUT'] }, /^conditionsV4\[2\]: "-g"/],
  ['an abbreviated --jump', { conditionsV4: ['-s', '10.0.0.0/8', '--jum=ACCEPT'] }, /^conditionsV4\[2\]: "--jum=ACCEPT"/],
  ['an append command', { conditionsV4: ['-A', 'INPUT'] }, /^conditionsV4\[0\]: "-A"/],
  ['a second rule after a line break', { conditionsV4: ['-s', '10.0.0.0/8\n-A POSTROUTING -j ACCEPT'] }, /^conditionsV4\[1\]: must be a match token/],
  ['a carriage return', { conditionsV4: ['-s', '10.0.0.0/8\r'] }, /^conditionsV4\[1\]: must be a match token/],
  ['a COMMIT line', { conditionsV4: ['-s', '10.0.0.0/8\nCOMMIT\n*filter'] }, /^conditionsV4\[1\]: must be a match token/],
  ['a quote that would end the argument', { conditionsV4: ['-m', 'comment', '--comment', 'x" -j ACCEPT "'] }, /^conditionsV4\[3\]: must be a match token/],
  ['a target smuggled inside one argument', { conditionsV4: ['-s', '10.0.0.0/8 -j ACCEPT'] }, /^conditionsV4\[1\]: .*one argument per entry/],
  ['an nft verdict', { conditionsV4: ['ip', 'saddr', '10.0.0.0/8', 'accept'] }, /^conditionsV4\[3\]: "accept" is an nft statement/],
  ['an nft command after ";"', { conditionsV4: ['ip saddr 10.0.0.0/8; flush ruleset'] }, /^conditionsV4\[0\]: must be a match token/],
  ['an nft comment that hides the DNAT', { conditionsV4: ['ip', 'saddr', '10.0.0.0/8', '#'] }, /^conditionsV4\[3\]: must be a match token/],
  ['an nft verdict map', { conditionsV4: ['ip', 'saddr', 'vmap', '{', '10.0.0.1', ':', 'drop', '}'] }, /^conditionsV4\[2\]: "vmap"/],
  ['an nft brace that closes the block', { conditionsV4: ['ip', 'saddr', '10.0.0.1', '}'] }, /^conditionsV4\[3\]: "}" without its "{"/],
  ['an nft mark set', { conditionsV4: ['meta', 'mark', 'set', '0x1'] }, /^conditionsV4\[2\]: "set"/],
  ['an nft line break', { conditionsV4: ['ip saddr 10.0.0.1\nadd rule inet filter input accept'] }, /^conditionsV4\[0\]: must be a match token/],
];

describe.each(['iptables', 'nftables'] as const)('portmap on %s refuses config values that would write rules of their own', (backend) => {
  let lab: PortmapNode;
  let prevResult: AddResult;
  const call = (keys: Record<string, unknown>) =>
    runPlugin(`${DIST_BIN}/portmap`, {
      command: 'ADD',
      containerId: 'ctscf-ctr',
      netns: lab.podA,
      config: { cniVersion: '1.1.0', name: NET, type: 'portmap', backend, ...keys, runtimeConfig: { portMappings: MAPPINGS }, prevResult },
      inNetns: lab.node,
      timeoutMs: 20_000,
    });

  beforeAll(() => {
    lab = new PortmapNode('cf', NET);
    lab.writeList('1.1.0', [[{ subnet: '10.98.0.0/24' }]], { backend });
    prevResult = lab.add(lab.podA, 'ctscf-ctr', []);
  });
  afterAll(() => lab.cleanup());

  // The inspection can see a change: a legitimate ADD does change the ruleset.
  it('a legitimate condition does add its rules (the ruleset comparison sees them)', () => {
    const before = ruleset(lab.node);
    const conditions = backend === 'iptables' ? ['!', '-s', '192.0.2.0/24'] : ['ip', 'saddr', '!=', '192.0.2.0/24'];
    const r = call({ conditionsV4: conditions });
    expect(r.code, r.stdout).toBe(0);
    const after = ruleset(lab.node);
    expect(after).not.toBe(before);
    expect(after).toContain('192.0.2.0/24');
    expect(runPlugin(`${DIST_BIN}/portmap`, { command: 'DEL', containerId: 'ctscf-ctr', netns: lab.podA, config: { cniVersion: '1.1.0', name: NET, type: 'portmap' }, inNetns: lab.node }).code).toBe(0);
  });

  for (const [what, keys, message] of HOSTILE) {
    it(`${what}: code 7 naming the field, the ruleset untouched`, () => {
      const before = ruleset(lab.node);
      const r = call(keys);
      expect(r.code).not.toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: 7, msg: expect.stringMatching(message) });
      expect(r.stderr).toBe('');
      expect(ruleset(lab.node)).toBe(before);
    });
  }
});
