import { canEnterNetns, withNetns } from '../ip/enter.ts';
import { openLibc, type Libc } from '../libc.ts';
import { NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSGERR_ATTR_MSG } from './constants.ts';
import { NetlinkError } from './errors.ts';
import { parseAttrs, parseMessages, readI32, readString, readU32, type NetlinkMessage } from './message.ts';

/** A netlink socket (rtnetlink, nfnetlink) bound to one network namespace. */
export interface NetlinkSocket {
  /**
   * Send one request and read the kernel's answer: the messages before its acknowledgement, or
   * every message of a dump. Throws NetlinkError when the kernel refuses it.
   */
  request(message: Uint8Array): NetlinkMessage[];
  /**
   * Send several messages in one write (an nfnetlink batch: begin, requests, end) and check the
   * kernel's answers to those that ask for an acknowledgement. The kernel handles the batch
   * within the write, so every answer is queued when it returns. Throws NetlinkError with the
   * first refusal (the kernel then applied none of the batch).
   */
  batch(messages: Uint8Array[]): void;
  close(): void;
}

interface LibcSocket {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, length: number): number;
  send(fd: number, buf: Uint8Array, length: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, length: number, flags: number): number;
  close(fd: number): number;
  __errno_location(): unknown;
}

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
/** Protocols: routing (links, addresses, routes) and netfilter (nftables). */
export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const NETLINK_GET_STRICT_CHK = 12;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const EIO = 5;
/** Longer than any answer the kernel gives a request (dumps come in pieces of at most 32 KiB). */
const RECEIVE_BUFFER = 64 * 1024;
/** A kernel that never answers must not hang a plugin call forever. */
const RECEIVE_TIMEOUT_SECONDS = 10;

let libc: Libc<LibcSocket> | null = null;
let loading: Promise<boolean> | undefined;

const SIGNATURES = {
  socket: { args: ['i32', 'i32', 'i32'], returns: 'i32' },
  setsockopt: { args: ['i32', 'i32', 'i32', 'ptr', 'u32'], returns: 'i32' },
  send: { args: ['i32', 'ptr', 'u64', 'i32'], returns: 'i32' },
  recv: { args: ['i32', 'ptr', 'u64', 'i32'], returns: 'i32' },
  close: { args: ['i32'], returns: 'i32' },
  __errno_location: { args: [], returns: 'ptr' },
};

/** Whether netlink sockets can be opened from this process (the Bun executables). */
export async function canUseNetlink(): Promise<boolean> {
  loading ??= openLibc<LibcSocket>(SIGNATURES).then((loaded) => (libc = loaded) !== null);
  // Both loads side by side: a plugin's first batch waits for them.
  const [sockets, setns] = await Promise.all([loading, canEnterNetns()]);
  return sockets && setns;
}

/**
 * A socket of `protocol` in the namespace at `netnsPath` (empty: this thread's own). A socket
 * stays in the namespace it was created in, so the thread enters the namespace only to create it.
 * Call canUseNetlink() first; NetnsEnterError when the path is not a network namespace.
 */
export function openNetlink(protocol: number, netnsPath = ''): NetlinkSocket {
  if (!libc) throw new Error('openNetlink: libc is not loaded (call canUseNetlink first)');
  const { symbols: c } = libc;
  const errno = (): number => libc!.readI32(c.__errno_location());
  const create = (): number => c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  const fd = netnsPath ? withNetns(netnsPath, create) : create();
  if (fd < 0) throw new NetlinkError(errno());
  const int = (value: number): Uint8Array => new Uint8Array(new Int32Array([value]).buffer);
  // The kernel's own words on errors, without echoing our request back.
  c.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, int(1), 4);
  c.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, int(1), 4);
  // Dumps filtered by the kernel (e.g. one link's addresses, not every pod's); older kernels
  // ignore the filter and the caller filters again.
  c.setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, int(1), 4);
  c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(new BigInt64Array([BigInt(RECEIVE_TIMEOUT_SECONDS), 0n]).buffer), 16);
  return new LibcNetlinkSocket(c, errno, fd);
}

/** Run `use` over a fresh socket of `protocol` in this thread's namespace, closed afterwards. */
export function withNetlink<T>(protocol: number, use: (nl: NetlinkSocket) => T): T {
  const nl = openNetlink(protocol);
  try {
    return use(nl);
  } finally {
    nl.close();
  }
}

/**
 * Run `use` over a fresh nfnetlink socket when this process can open one; `unknown` when it
 * cannot (the Node bundle) or the kernel refuses (NetlinkError), so that the caller asks the tools.
 */
export async function askNetfilter<T, U>(use: (nl: NetlinkSocket) => T, unknown: U): Promise<T | U> {
  if (!(await canUseNetlink())) return unknown;
  try {
    return withNetlink(NETLINK_NETFILTER, use);
  } catch (err) {
    if (err instanceof NetlinkError) return unknown;
    throw err;
  }
}

class LibcNetlinkSocket implements NetlinkSocket {
  private seq = Math.floor(Date.now() / 1000) >>> 0;
  private readonly buffer = new Uint8Array(RECEIVE_BUFFER);

  constructor(
    private readonly c: LibcSocket,
    private readonly errno: () => number,
    private readonly fd: number,
  ) {}

  request(message: Uint8Array): NetlinkMessage[] {
    const seq = (this.seq = (this.seq + 1) >>> 0);
    new DataView(message.buffer, message.byteOffset, message.byteLength).setUint32(8, seq, true);
    if (this.c.send(this.fd, message, message.length, 0) < 0) throw new NetlinkError(this.errno());
    const replies: NetlinkMessage[] = [];
    for (;;) {
      const n = this.c.recv(this.fd, this.buffer, this.buffer.length, 0);
      if (n < 0) throw new NetlinkError(this.errno());
      // Copied: the next receive reuses the buffer.
      for (const m of parseMessages(this.buffer.slice(0, n))) {
        if (m.seq !== seq) continue; // a late answer to an earlier request
        if (m.type === NLMSG_ERROR) {
          const error = -readI32(m.payload);
          if (error === 0) return replies;
          throw new NetlinkError(error, extackMessage(m));
        }
        if (m.type === NLMSG_DONE) {
          const error = m.payload.length >= 4 ? -readI32(m.payload) : 0;
          if (error > 0) throw new NetlinkError(error);
          return replies;
        }
        replies.push(m);
      }
    }
  }

  batch(messages: Uint8Array[]): void {
    const acked = new Set<number>();
    let length = 0;
    for (const m of messages) {
      const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
      const seq = (this.seq = (this.seq + 1) >>> 0);
      view.setUint32(8, seq, true);
      if (view.getUint16(6, true) & NLM_F_ACK) acked.add(seq);
      length += m.length;
    }
    const all = new Uint8Array(length);
    let at = 0;
    for (const m of messages) {
      all.set(m, at);
      at += m.length;
    }
    if (this.c.send(this.fd, all, all.length, 0) < 0) throw new NetlinkError(this.errno());
    let refused: NetlinkError | undefined;
    while (acked.size > 0) {
      const n = this.c.recv(this.fd, this.buffer, this.buffer.length, MSG_DONTWAIT);
      if (n < 0) {
        const errno = this.errno();
        // Nothing more queued: an acknowledgement that never came is a refusal of the batch.
        throw refused ?? new NetlinkError(errno === EAGAIN ? EIO : errno);
      }
      for (const m of parseMessages(this.buffer.slice(0, n))) {
        if (m.type !== NLMSG_ERROR || !acked.delete(m.seq)) continue;
        const error = -readI32(m.payload);
        if (error !== 0) refused ??= new NetlinkError(error, extackMessage(m));
      }
    }
    if (refused) throw refused;
  }

  close(): void {
    this.c.close(this.fd);
  }
}

/** The kernel's message attached to an error, if any. */
function extackMessage(m: NetlinkMessage): string | undefined {
  if (!(m.flags & NLM_F_ACK_TLVS)) return undefined;
  const echoed = m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : ((readU32(m.payload.subarray(4)) ?? NLMSG_HDRLEN) + 3) & ~3;
  const text = readString(parseAttrs(m.payload, 4 + echoed).get(NLMSGERR_ATTR_MSG));
  return text || undefined;
}
