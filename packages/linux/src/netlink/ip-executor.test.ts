import { describe, expect, it } from 'vitest';
import * as K from './constants.ts';
import { NetlinkError } from './errors.ts';
import { executeIpBatch } from './ip-executor.ts';
import { parseIpCommand, splitBatch } from './ip-command.ts';
import { MessageBuilder, parseAttrs, parseMessages, readString, type NetlinkMessage } from './message.ts';
import type { NetlinkSocket } from './socket.ts';

/**
 * A kernel stand-in for the executor's logic (the real kernel is in
 * test-e2e/netlink/ip-equivalence.test.ts): links by name, refusals by message type.
 */
class FakeKernel implements NetlinkSocket {
  readonly sent: NetlinkMessage[] = [];
  constructor(
    private readonly links: Record<string, number>,
    private readonly refuse: Partial<Record<number, NetlinkError>> = {},
  ) {}

  batch(): void {
    throw new Error('ip batches send no nfnetlink batch');
  }

  request(message: Uint8Array): NetlinkMessage[] {
    const [m] = parseMessages(message);
    this.sent.push(m!);
    const refusal = this.refuse[m!.type];
    if (refusal) throw refusal;
    if (m!.type !== K.RTM_GETLINK) return [];
    const name = readString(parseAttrs(m!.payload, K.IFINFOMSG_LEN).get(K.IFLA_IFNAME))!;
    const index = this.links[name];
    if (index === undefined) throw new NetlinkError(K.ENODEV);
    const header = new Uint8Array(K.IFINFOMSG_LEN);
    new DataView(header.buffer).setInt32(4, index, true);
    return parseMessages(new MessageBuilder(K.RTM_NEWLINK, 0).header(header).string(K.IFLA_IFNAME, name).bytes());
  }

  close(): void {}
}

const lines = (text: string) => splitBatch(text).map((l) => ({ ...l, command: parseIpCommand(l.words)! }));

describe('executeIpBatch', () => {
  it('looks each name up once and sends one request per line', () => {
    const kernel = new FakeKernel({ veth0: 5, br0: 3 });
    const r = executeIpBatch(kernel, lines('link set dev veth0 master br0 up\nlink set dev veth0 type bridge_slave hairpin on\n'));
    expect(r).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(kernel.sent.map((m) => m.type)).toEqual([K.RTM_GETLINK, K.RTM_GETLINK, K.RTM_NEWLINK, K.RTM_NEWLINK]);
  });

  it('stops at the first failing line, worded and numbered as ip -batch does', () => {
    const kernel = new FakeKernel({ br0: 3 }, { [K.RTM_NEWADDR]: new NetlinkError(K.EEXIST) });
    const r = executeIpBatch(kernel, lines('link set dev br0 up\naddr add 10.0.0.1/24 dev br0\nlink set dev br0 down\n'));
    expect(r).toEqual({ stdout: '', stderr: 'RTNETLINK answers: File exists\nCommand failed -:2\n', code: 1 });
    expect(kernel.sent.filter((m) => m.type === K.RTM_NEWLINK)).toHaveLength(1);
  });

  it("uses the kernel's own words when it gives them", () => {
    const kernel = new FakeKernel({ eth0: 2 }, { [K.RTM_NEWROUTE]: new NetlinkError(22, 'Nexthop has invalid gateway') });
    const r = executeIpBatch(kernel, lines('route add 10.9.0.0/16 via 10.1.1.1 dev eth0\n'));
    expect(r.stderr).toBe('Error: Nexthop has invalid gateway.\nCommand failed -:1\n');
  });

  it('a missing device fails its line; a missing master ends the batch as iproute2 does (status 255)', () => {
    expect(executeIpBatch(new FakeKernel({}), lines('link set dev nope up\n'))).toEqual({ stdout: '', stderr: 'Cannot find device "nope"\nCommand failed -:1\n', code: 1 });
    expect(executeIpBatch(new FakeKernel({ veth0: 5 }), lines('link set dev veth0 master nope up\n'))).toEqual({
      stdout: '',
      stderr: 'Error: argument "nope" is wrong: Device does not exist\n\n',
      code: 255,
    });
  });
});
