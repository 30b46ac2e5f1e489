import { dispatch } from '@cni-ts/core';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plugin } from './index.ts';
import { NetworkDir } from './store.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hl-plugin-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const netDir = (): string => join(dataDir, 'net1');

function config(ipam: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: '1.1.0',
    name: 'net1',
    type: 'host-local',
    ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: '10.0.0.0/29' }], [{ subnet: 'fd00::/125' }]], ...ipam },
    ...extra,
  };
}

async function call(command: string, conf: Record<string, unknown>, cid = 'c1', ifName = 'eth0', cniArgs = '') {
  const out = await dispatch(plugin, {
    env: { CNI_COMMAND: command, CNI_CONTAINERID: cid, CNI_NETNS: '/run/netns/x', CNI_IFNAME: ifName, CNI_PATH: '/opt/cni/bin', CNI_ARGS: cniArgs },
    stdin: JSON.stringify(conf),
  });
  return { ...out, json: out.stdout ? (JSON.parse(out.stdout) as Record<string, unknown>) : undefined };
}

const addresses = (json: Record<string, unknown> | undefined): string[] => ((json?.ips ?? []) as { address: string }[]).map((i) => i.address);
/** Reservation file names (named by an address), sorted. */
const reservations = (): string[] => readdirSync(netDir()).filter((n) => /^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]*:[0-9a-f:]*)$/.test(n)).sort();
/** The owner index's entry lines (`<owner key> <address>`), sorted. */
/** The index's `<owner> <address>` entries (the boot each was made in left out), sorted. */
const indexEntries = (): string[] =>
  readFileSync(join(dataDir, '.net1.cni-ts-index'), 'utf8').split('\n').slice(1, -1).map((l) => l.split(' ').slice(0, 2).join(' ')).sort();

/** The reservation files read while `fn` runs, by name, sorted (a name read twice is listed twice). */
async function filesRead(fn: () => Promise<unknown>): Promise<string[]> {
  const reads = vi.spyOn(NetworkDir.prototype, 'readName');
  try {
    await fn();
    return reads.mock.calls.map(([name]) => name).sort();
  } finally {
    reads.mockRestore();
  }
}

describe('ADD', () => {
  it('allocates one address per range set, round-robin, in the reference file format', async () => {
    const a = await call('ADD', config());
    expect(a.exitCode).toBe(0);
    expect(a.json).toEqual({
      cniVersion: '1.1.0',
      ips: [
        { address: '10.0.0.2/29', gateway: '10.0.0.1' },
        { address: 'fd00::2/125', gateway: 'fd00::1' },
      ],
    });
    expect(readFileSync(join(netDir(), '10.0.0.2'), 'utf8')).toBe('c1\r\neth0');
    expect(readFileSync(join(netDir(), 'last_reserved_ip.0'), 'utf8')).toBe('10.0.0.2');
    expect(readFileSync(join(netDir(), 'last_reserved_ip.1'), 'utf8')).toBe('fd00::2');
    expect(existsSync(join(netDir(), 'lock'))).toBe(true);

    // round-robin: a released address is not handed out again right away
    await call('DEL', config());
    expect(addresses((await call('ADD', config(), 'c2')).json)).toEqual(['10.0.0.3/29', 'fd00::3/125']);
  });

  it('refuses a second ADD of the same container and ifname, but not another ifname', async () => {
    await call('ADD', config());
    const again = await call('ADD', config());
    expect(again.exitCode).toBe(1);
    expect(again.json?.msg).toContain('duplicate allocation is not allowed');
    expect(addresses((await call('ADD', config(), 'c1', 'net1')).json)).toEqual(['10.0.0.3/29', 'fd00::3/125']);
  });

  it('gives requested addresses from CNI_ARGS, args.cni.ips and runtimeConfig.ips', async () => {
    const r = await call('ADD', config({}, { runtimeConfig: { ips: ['fd00::6/125'] } }), 'c1', 'eth0', 'IP=10.0.0.5');
    expect(addresses(r.json)).toEqual(['10.0.0.5/29', 'fd00::6/125']);
    const taken = await call('ADD', config({}, { args: { cni: { ips: ['10.0.0.5'] } } }), 'c2');
    expect(taken.json).toMatchObject({ code: 999 });
    expect(taken.json?.msg).toContain('10.0.0.5 is not available');
    const gw = await call('ADD', config(), 'c3', 'eth0', 'IP=10.0.0.1');
    expect(gw.json?.msg).toContain("10.0.0.1 (CNI_ARGS IP) is the subnet's gateway");
    const outside = await call('ADD', config(), 'c4', 'eth0', 'IP=192.168.1.1');
    expect(outside.json).toMatchObject({ code: 7 });
    expect(outside.json?.msg).toContain('failed to allocate all requested IPs: 192.168.1.1');
  });

  it('says which range is exhausted and how full, and rolls back the other sets', async () => {
    for (let i = 0; i < 5; i++) expect((await call('ADD', config({ ranges: [[{ subnet: '10.0.0.0/29' }]] }), `c${i}`)).exitCode).toBe(0);
    const full = await call('ADD', config(), 'cx'); // v4 set full; v6 set must not keep an address
    expect(full.json).toMatchObject({ code: 999 });
    expect(full.json?.msg).toBe('failed to allocate for range 0: no IP addresses available in range set 10.0.0.0/29: all 5 of 5 addresses are reserved');
    expect(readdirSync(netDir()).filter((n) => n.includes(':'))).toEqual([]);
  });

  it('reuses an empty reservation file (a writer died between create and write)', async () => {
    mkdirSync(netDir(), { recursive: true });
    writeFileSync(join(netDir(), '10.0.0.2'), '');
    expect(addresses((await call('ADD', config({ ranges: [[{ subnet: '10.0.0.0/29' }]] }))).json)).toEqual(['10.0.0.2/29']);
    expect(readFileSync(join(netDir(), '10.0.0.2'), 'utf8')).toBe('c1\r\neth0');
  });

  it('prints every cniVersion shape', async () => {
    const r = await call('ADD', { ...config({ routes: [{ dst: '0.0.0.0/0' }] }), cniVersion: '0.3.1' });
    expect(r.json).toMatchObject({ cniVersion: '0.3.1', ips: [{ version: '4', address: '10.0.0.2/29' }, { version: '6' }], routes: [{ dst: '0.0.0.0/0' }] });
    const old = await call('ADD', { ...config(), cniVersion: '0.2.0' }, 'c2');
    expect(old.json).toEqual({ cniVersion: '0.2.0', ip4: { ip: '10.0.0.3/29', gateway: '10.0.0.1' }, ip6: { ip: 'fd00::3/125', gateway: 'fd00::1' } });
  });
});

describe('DEL', () => {
  it('releases the attachment only, is idempotent, and works without an ipam section', async () => {
    await call('ADD', config(), 'c1');
    await call('ADD', config(), 'c2');
    expect((await call('DEL', config(), 'c1')).exitCode).toBe(0);
    expect(reservations()).toEqual(['10.0.0.3', 'fd00::3']);
    expect((await call('DEL', config(), 'c1')).exitCode).toBe(0);
    // A config whose ranges no longer parse still releases by owner from dataDir.
    expect((await call('DEL', config({ ranges: 'broken' }), 'c2')).exitCode).toBe(0);
    expect(reservations()).toEqual([]);
    expect((await call('DEL', { cniVersion: '1.1.0', name: 'never-used', type: 'host-local' })).exitCode).toBe(0);
  });

  it('releases old cid-only files and files another program wrote (index rebuilt)', async () => {
    await call('ADD', config(), 'c1');
    writeFileSync(join(netDir(), '10.0.0.6'), 'c9'); // the pre-ifname format
    writeFileSync(join(netDir(), '10.0.0.5'), 'c9\r\neth1');
    expect((await call('DEL', config(), 'c9', 'eth0')).exitCode).toBe(0);
    expect(reservations()).toEqual(['10.0.0.2', '10.0.0.5', 'fd00::2']);
    expect((await call('DEL', config(), 'c9', 'eth1')).exitCode).toBe(0);
    expect(reservations()).toEqual(['10.0.0.2', 'fd00::2']);
  });

  it('notices a reservation removed by hand and does not release someone else', async () => {
    await call('ADD', config(), 'c1');
    unlinkSync(join(netDir(), '10.0.0.2'));
    expect(addresses((await call('ADD', config({ ranges: [[{ subnet: '10.0.0.0/29' }]] }), 'c1', 'eth5')).json)).toEqual(['10.0.0.3/29']);
    writeFileSync(join(netDir(), '10.0.0.2'), 'other\r\neth0');
    await call('DEL', config(), 'c1');
    expect(readFileSync(join(netDir(), '10.0.0.2'), 'utf8')).toBe('other\r\neth0');
  });
});

describe('CHECK', () => {
  it('passes for the holder, fails for others and for a prevResult address it does not hold', async () => {
    const r = await call('ADD', config());
    expect((await call('CHECK', { ...config(), prevResult: r.json })).exitCode).toBe(0);
    const stranger = await call('CHECK', config(), 'c2');
    expect(stranger.exitCode).toBe(1);
    expect(stranger.json?.msg).toContain('failed to find an address reserved for container c2 interface eth0');
    const wrong = await call('CHECK', { ...config(), prevResult: { cniVersion: '1.1.0', ips: [{ address: '10.0.0.6/29' }] } });
    expect(wrong.json?.msg).toContain('prevResult address 10.0.0.6/29 is not reserved');
  });
});

describe('GC', () => {
  it('releases everything not in valid-attachments, keeping cid-only files of valid containers', async () => {
    await call('ADD', config(), 'keep');
    await call('ADD', config(), 'drop');
    writeFileSync(join(netDir(), '10.0.0.5'), 'keep'); // old format, container still valid
    writeFileSync(join(netDir(), '10.0.0.6'), 'gone'); // old format, container gone
    writeFileSync(join(netDir(), 'fd00::7'), ''); // ownerless
    writeFileSync(join(netDir(), '10.0.0.4.tmp-1-abc'), 'drop'); // a writer's leftover temp file
    const gc = await call('GC', { ...config(), 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] });
    expect(gc.exitCode).toBe(0);
    expect(gc.stderr).toContain('released 4 address(es)');
    expect(readdirSync(netDir()).sort()).toEqual(['10.0.0.2', '10.0.0.5', 'fd00::2', 'last_reserved_ip.0', 'last_reserved_ip.1', 'lock']);
    expect(indexEntries()).toEqual(['keep@ 10.0.0.5', 'keep@eth0 10.0.0.2', 'keep@eth0 fd00::2']);
    // the index is sealed (DEL reads only the kept container's files, no rebuild) and complete
    expect(await filesRead(() => call('DEL', config(), 'keep'))).toEqual(['10.0.0.2', '10.0.0.5', 'fd00::2']);
    expect(readdirSync(netDir()).sort()).toEqual(['last_reserved_ip.0', 'last_reserved_ip.1', 'lock']);
  });

  it('reads each reservation file once, whether the index is missing, current or stale', async () => {
    const gc = () => call('GC', { ...config(), 'cni.dev/valid-attachments': [{ containerID: 'a', ifname: 'eth0' }, { containerID: 'c', ifname: 'eth0' }] });
    mkdirSync(netDir(), { recursive: true });
    writeFileSync(join(netDir(), '10.0.0.5'), 'a\r\neth0'); // written by another program: no index yet
    writeFileSync(join(netDir(), '10.0.0.6'), 'b\r\neth0');
    expect(await filesRead(gc)).toEqual(['10.0.0.5', '10.0.0.6']);
    expect(indexEntries()).toEqual(['a@eth0 10.0.0.5']);
    await call('ADD', config(), 'c'); // sealed after ADD: the index is current
    const current = reservations();
    expect(await filesRead(gc)).toEqual(current);
    writeFileSync(join(netDir(), '10.0.0.6'), 'b\r\neth0'); // another program's file: the index is stale
    expect(await filesRead(gc)).toEqual([...current, '10.0.0.6'].sort());
    expect(reservations()).toEqual(current);
    expect(indexEntries()).toEqual(['a@eth0 10.0.0.5', 'c@eth0 10.0.0.2', 'c@eth0 fd00::2']);
  });
});

describe('STATUS', () => {
  it('answers code 50 when a range set has no free address', async () => {
    const small = config({ ranges: [[{ subnet: '10.0.0.0/30' }], [{ subnet: 'fd00::/64' }]] });
    expect((await call('STATUS', small)).exitCode).toBe(0);
    await call('ADD', small, 'c1');
    const st = await call('STATUS', small);
    expect(st.json).toMatchObject({ code: 50 });
    expect(st.json?.msg).toBe('range set 0 (10.0.0.0/30) has no free address: 1 of 1 reserved');
  });

  it('does not count an ownerless file, which ADD would reuse', async () => {
    const small = config({ ranges: [[{ subnet: '10.0.0.0/30' }]] });
    mkdirSync(netDir(), { recursive: true });
    writeFileSync(join(netDir(), '10.0.0.2'), '');
    expect((await call('STATUS', small)).exitCode).toBe(0);
  });
});

describe('state directory problems', () => {
  it('an unusable dataDir is an I/O failure (code 5) naming the path', async () => {
    const file = join(dataDir, 'not-a-dir');
    writeFileSync(file, '');
    const r = await call('ADD', config({ dataDir: file }));
    expect(r.json).toMatchObject({ code: 5 });
    expect(r.json?.msg).toContain(`host-local state in ${file}/net1`);
  });
});

describe('reservations from before the last boot', () => {
  const THIS_BOOT = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const OLD_BOOT = '00000000-0000-4000-8000-000000000000';
  const indexFile = (): string => join(dataDir, '.net1.cni-ts-index');
  const stampFile = (): string => join(dataDir, '.net1.cni-ts-stamp');
  /** What a reboot leaves: every recorded boot is an old one, and the stamp is of that boot. */
  const reboot = (): void => {
    writeFileSync(indexFile(), readFileSync(indexFile(), 'utf8').replaceAll(THIS_BOOT, OLD_BOOT));
    writeFileSync(stampFile(), readFileSync(stampFile(), 'utf8').replace(THIS_BOOT, OLD_BOOT));
  };
  const v4Only = (): Record<string, unknown> => config({ ranges: [[{ subnet: '10.0.0.0/29' }]] });

  it('ADD records the boot with each reservation in the owner index', async () => {
    await call('ADD', config());
    expect(readFileSync(indexFile(), 'utf8').split('\n').slice(1, -1).sort()).toEqual([`c1@eth0 10.0.0.2 ${THIS_BOOT}`, `c1@eth0 fd00::2 ${THIS_BOOT}`]);
  });

  it('GC releases them even for attachments the runtime still lists; later ones stay', async () => {
    await call('ADD', config(), 'old');
    reboot();
    await call('ADD', config(), 'new');
    const gc = await call('GC', { ...config(), 'cni.dev/valid-attachments': [{ containerID: 'old', ifname: 'eth0' }, { containerID: 'new', ifname: 'eth0' }] });
    expect(gc.exitCode).toBe(0);
    expect(gc.stderr).toContain('10.0.0.2 (old/eth0, before this boot)');
    expect(indexEntries()).toEqual(['new@eth0 10.0.0.3', 'new@eth0 fd00::3']);
    expect(reservations()).toEqual(['10.0.0.3', 'fd00::3']);
  });

  it('ADD on a full range releases them and takes one; without any, the range stays full', async () => {
    for (const cid of ['a', 'b', 'c', 'd', 'e']) expect((await call('ADD', v4Only(), cid)).exitCode).toBe(0);
    expect((await call('ADD', v4Only(), 'f')).json?.msg).toContain('no IP addresses available');
    reboot();
    const f = await call('ADD', v4Only(), 'f');
    expect(f.exitCode, f.stdout).toBe(0);
    expect(f.stderr).toContain('the range set was full: released 10.0.0.2 (a), reserved before this boot');
    expect(reservations()).toEqual([addresses(f.json)[0]!.split('/')[0]]);
    expect(indexEntries()).toEqual([`f@eth0 ${addresses(f.json)[0]!.split('/')[0]}`]);
  });

  it('a reservation whose boot is unknown (found on disk, e.g. the reference plugin) is never released for it', async () => {
    for (const cid of ['a', 'b', 'c', 'd']) await call('ADD', v4Only(), cid);
    writeFileSync(join(netDir(), '10.0.0.6'), 'ref\r\neth0'); // another program's reservation
    reboot();
    const gc = await call('GC', { ...v4Only(), 'cni.dev/valid-attachments': [{ containerID: 'ref', ifname: 'eth0' }] });
    expect(gc.exitCode).toBe(0);
    expect(reservations()).toEqual(['10.0.0.6']);
  });

  it('previousBootReservations reports them for operators, confirmed by their files', async () => {
    const { previousBootReservations } = await import('./index.ts');
    await call('ADD', v4Only(), 'a');
    await call('ADD', v4Only(), 'b');
    expect(previousBootReservations(dataDir, 'net1')).toEqual({ bootId: THIS_BOOT, reservations: [] });
    reboot();
    unlinkSync(join(netDir(), '10.0.0.3')); // b's file gone: not reported
    expect(previousBootReservations(dataDir, 'net1')).toEqual({
      bootId: THIS_BOOT,
      reservations: [{ address: '10.0.0.2', owner: { containerId: 'a', ifName: 'eth0' }, bootId: OLD_BOOT }],
    });
  });
});
