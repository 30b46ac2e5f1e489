import { RecordingRunner, type RunResult, type StartedCommand, type StartingRunner } from '@cni-ts/linux';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { iptablesDnatChain, iptablesLegacySnatChain } from '../naming.ts';
import { IptablesForwarder } from './forwarder.ts';
import type { NatProbe } from './nat-probe.ts';

const conf = parseConfig({ cniVersion: '1.0.0', name: 'n1', type: 'portmap', runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80 }] } });
const att = { network: 'n1', containerId: 'c1', ifName: 'eth0' };
const udpConf = parseConfig({ cniVersion: '1.0.0', name: 'n1', type: 'portmap', runtimeConfig: { portMappings: [{ hostPort: 5353, containerPort: 53, protocol: 'udp' }] } });
const targets = [
  { family: 4 as const, ip: '10.99.0.2', subnet: '10.99.0.0/24' },
  { family: 6 as const, ip: 'fd00::2', subnet: 'fd00::/64' },
];
const CHAIN = iptablesDnatChain('n1', 'c1');
const EMPTY = '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n';

describe('IptablesForwarder', () => {
  it('ADD takes the IPv4 rules back out when the IPv6 transaction fails', async () => {
    let v4Written = false;
    const runner = new RecordingRunner((c) => {
      if (c.argv[0] === 'iptables-save') return { stdout: v4Written ? `*nat\n:${CHAIN} - [0:0]\n-A ${CHAIN} -p tcp --dport 8080 -j DNAT --to-destination 10.99.0.2:80\nCOMMIT\n` : EMPTY };
      if (c.argv[0] === 'ip6tables-save') return { stdout: EMPTY };
      if (c.argv[0] === 'ip6tables-restore') return { code: 2, stderr: 'ip6tables-restore: line 3 failed' };
      if (c.argv[0] === 'iptables-restore') v4Written = true;
      return {};
    });
    await expect(new IptablesForwarder(runner).add({ att, conf, targets })).rejects.toThrow('line 3 failed');
    const v4Restores = runner.calls.filter((c) => c.argv[0] === 'iptables-restore');
    expect(v4Restores).toHaveLength(2);
    expect(v4Restores[1]!.input).toContain(`-X ${CHAIN}`);
  });

  it('ADD reads again and retries once when the transaction fails (a concurrent ADD made a shared chain)', async () => {
    let restores = 0;
    const runner = new RecordingRunner((c) => {
      if (c.argv[0] === 'iptables-restore') return ++restores === 1 ? { code: 1, stderr: 'line 3 failed: Chain already exists.' } : {};
      return { stdout: EMPTY };
    });
    await new IptablesForwarder(runner).add({ att, conf, targets: targets.slice(0, 1) });
    expect(runner.calls.map((c) => c.argv[0])).toEqual(['iptables-save', 'iptables-restore', 'iptables-save', 'iptables-restore']);
  });

  it('ADD writes only the container\'s rules, without iptables-save, when the probe finds the shared ones in place', async () => {
    const runner = new RecordingRunner();
    const asked: string[] = [];
    const probe: NatProbe = {
      available: async () => true,
      onlyOwnRulesMissing: async (_conf, family, ownChain) => (asked.push(`${family} ${ownChain}`), family === 4),
      chainsPresent: async () => undefined,
      removeChain: async () => false,
    };
    const forwarder = new IptablesForwarder(runner, probe);
    expect(await forwarder.usable()).toBe(true);
    await forwarder.add({ att, conf, targets });
    expect(asked.sort()).toEqual([`4 ${CHAIN}`, `6 ${CHAIN}`]);
    // IPv4: the probe said yes; IPv6: it said no, so that family is read and set up in full.
    expect(runner.calls.map((c) => c.argv[0]).sort()).toEqual(['ip6tables-restore', 'ip6tables-save', 'iptables-restore']);
    const v4 = runner.calls.find((c) => c.argv[0] === 'iptables-restore')!.input!;
    expect(v4.split('\n').filter((l) => l && l !== '*nat' && l !== 'COMMIT').map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      `:${CHAIN} -`,
      '-I CNI-HOSTPORT-DNAT',
      `-A ${CHAIN}`,
      `-A ${CHAIN}`,
      `-A ${CHAIN}`,
    ]);
    const v6 = runner.calls.find((c) => c.argv[0] === 'ip6tables-restore')!.input!;
    expect(v6).toContain('-N CNI-HOSTPORT-DNAT');
  });

  /** Records starts, runs and finishes in order; answers each command from `answer`. */
  class StartRecorder implements StartingRunner {
    readonly events: string[] = [];
    constructor(private readonly answer: (argv0: string) => Partial<RunResult> = () => ({ stdout: EMPTY })) {}
    async run(argv: readonly string[]): Promise<RunResult> {
      this.events.push(`run ${argv[0]}`);
      return { stdout: '', stderr: '', code: 0, ...this.answer(argv[0]!) };
    }
    async start(argv: readonly string[]): Promise<StartedCommand> {
      this.events.push(`start ${argv[0]}`);
      return {
        finish: async (input) => {
          this.events.push(`finish ${argv[0]} ${input === '' ? '(empty)' : '(script)'}`);
          return { stdout: '', stderr: '', code: 0, ...this.answer(argv[0]!) };
        },
      };
    }
  }

  it('ADD starts the restore before it reads the table, then hands it the script', async () => {
    const runner = new StartRecorder();
    await new IptablesForwarder(runner).add({ att, conf, targets: targets.slice(0, 1) });
    expect(runner.events).toEqual(['start iptables-restore', 'run iptables-save', 'finish iptables-restore (script)']);
  });

  it('ADD whose read fails ends the started restore with an empty transaction and reports the read', async () => {
    const runner = new StartRecorder((argv0) => (argv0 === 'iptables-save' ? { stdout: "# Table `nat' is incompatible, use 'nft' tool.\n" } : {}));
    await expect(new IptablesForwarder(runner).add({ att, conf, targets: targets.slice(0, 1) })).rejects.toThrow(/cannot show the nat table.*incompatible/);
    expect(runner.events).toEqual(['start iptables-restore', 'run iptables-save', 'finish iptables-restore (empty)']);
  });

  it('DEL does not take a table iptables cannot show for an empty one', async () => {
    const runner = new RecordingRunner(() => ({ stdout: "# Table `nat' is incompatible, use 'nft' tool.\n" }));
    await expect(new IptablesForwarder(runner).remove(att, [4])).rejects.toThrow('cannot show the nat table');
  });

  it('DEL reads and writes nothing for a family whose probe finds none of the container\'s chains; the other family is read', async () => {
    const runner = new RecordingRunner(() => ({ stdout: `*nat\n:${CHAIN} - [0:0]\n-A ${CHAIN} -p tcp --dport 8080 -j DNAT --to-destination [fd00::2]:80\nCOMMIT\n` }));
    const asked: string[] = [];
    const probe: NatProbe = {
      available: async () => true,
      onlyOwnRulesMissing: async () => false,
      chainsPresent: async (family, chains) => (asked.push(`${family} ${chains.join(' ')}`), family === 4 ? [false, false] : undefined),
      removeChain: async () => false,
    };
    await new IptablesForwarder(runner, probe).remove(att, [4, 6]);
    expect(asked.sort()).toEqual([`4 ${CHAIN} ${iptablesLegacySnatChain('n1', 'c1')}`, `6 ${CHAIN} ${iptablesLegacySnatChain('n1', 'c1')}`]);
    expect(runner.calls.map((c) => c.argv[0])).toEqual(['ip6tables-save', 'ip6tables-restore']);
    expect(runner.calls[1]!.input).toContain(`-X ${CHAIN}`);
  });

  it('DEL that carries the mappings of a chain that is there removes it in-process; a refusal reads the table', async () => {
    const asked: string[] = [];
    const probe = (done: boolean): NatProbe => ({
      available: async () => true,
      onlyOwnRulesMissing: async () => false,
      chainsPresent: async () => [true, false],
      removeChain: async (family, chain, from, jumps) => (asked.push(`${family} ${chain} ${from.join(',')} ${jumps}`), done),
    });
    const quiet = new RecordingRunner();
    expect(await new IptablesForwarder(quiet, probe(true)).remove(att, [4], udpConf)).toEqual([{ family: 4, port: 5353 }]);
    expect(quiet.calls).toEqual([]);
    expect(asked).toEqual([`4 ${CHAIN} CNI-HOSTPORT-DNAT 1`]);
    const saved = `*nat\n:${CHAIN} - [0:0]\n-A ${CHAIN} -p udp --dport 5353 -j DNAT --to-destination 10.99.0.2:53\nCOMMIT\n`;
    const refused = new RecordingRunner(() => ({ stdout: saved }));
    expect(await new IptablesForwarder(refused, probe(false)).remove(att, [4], udpConf)).toEqual([{ family: 4, port: 5353 }]);
    expect(refused.calls.map((c) => c.argv[0])).toEqual(['iptables-save', 'iptables-restore']);
    expect(refused.calls[1]!.input).toContain(`-X ${CHAIN}`);
  });

  it('the lock on the nat table is held only by an ADD that reads the table, until its restore is done', async () => {
    const events: string[] = [];
    const runner = new RecordingRunner((c) => (events.push(c.argv[0]!), { stdout: EMPTY }));
    const natLock = async () => (events.push('lock'), { release: async () => void events.push('unlock') });
    const fast: NatProbe = { available: async () => true, onlyOwnRulesMissing: async () => true, chainsPresent: async () => undefined, removeChain: async () => false };
    await new IptablesForwarder(runner, fast, natLock).add({ att, conf, targets: targets.slice(0, 1) });
    expect(events).toEqual(['iptables-restore']);
    events.length = 0;
    await new IptablesForwarder(runner, undefined, natLock).add({ att, conf, targets: targets.slice(0, 1) });
    expect(events).toEqual(['lock', 'iptables-save', 'iptables-restore', 'unlock']);
  });

  it('both families of one ADD share the nat lock: taken once, released once', async () => {
    const events: string[] = [];
    const runner = new RecordingRunner((c) => ({ stdout: c.argv[0]!.endsWith('save') ? EMPTY : '' }));
    const natLock = async () => (events.push('lock'), { release: async () => void events.push('unlock') });
    await new IptablesForwarder(runner, undefined, natLock).add({ att, conf, targets });
    expect(events).toEqual(['lock', 'unlock']);
  });

  it('an ADD whose nat lock cannot be taken goes on without it', async () => {
    const runner = new RecordingRunner((c) => ({ stdout: c.argv[0]!.endsWith('save') ? EMPTY : '' }));
    const natLock = async (): Promise<never> => {
      throw new Error('cannot run flock(1)');
    };
    await new IptablesForwarder(runner, undefined, natLock).add({ att, conf, targets: targets.slice(0, 1) });
    expect(runner.calls.map((c) => c.argv[0])).toEqual(['iptables-save', 'iptables-restore']);
  });
});
