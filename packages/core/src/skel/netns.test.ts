import { describe, expect, it } from 'vitest';
import { isOwnNetns, netnsKind, netnsOverride } from './netns.ts';

describe('isOwnNetns', () => {
  it("recognises this process's network namespace by any path", () => {
    expect(isOwnNetns('/proc/self/ns/net')).toBe(true);
    expect(isOwnNetns(`/proc/${process.pid}/ns/net`)).toBe(true);
  });

  it('another namespace or a file is not ours', () => {
    expect(isOwnNetns('/proc/self/ns/mnt')).toBe(false);
    expect(isOwnNetns('/etc/hostname')).toBe(false);
  });

  it('a path that does not exist is not ours (DEL of a gone namespace must succeed)', () => {
    expect(isOwnNetns('/run/netns/does-not-exist-cni-ts')).toBe(false);
  });
});

describe('netnsOverride', () => {
  it('is on for 1 and true in any case, off otherwise', () => {
    expect(['1', 'true', 'TRUE', 'True'].map(netnsOverride)).toEqual([true, true, true, true]);
    expect([undefined, '', '0', 'false', 'yes'].map(netnsOverride)).toEqual([false, false, false, false, false]);
  });
});

describe('netnsKind', () => {
  it('knows a network namespace by any path to it', () => {
    expect(netnsKind('/proc/self/ns/net')).toEqual({ kind: 'netns' });
    expect(netnsKind(`/proc/${process.pid}/ns/net`)).toEqual({ kind: 'netns' });
  });

  it.each([
    ['/etc/hostname', 'it is an ordinary file'],
    ['/dev/null', 'it is a character device'],
    ['/proc/self/ns/mnt', 'it is a mnt namespace'],
    ['/etc', 'it is a directory'],
  ])('%s is something else: %s', (path, what) => {
    expect(netnsKind(path)).toEqual({ kind: 'other', what });
  });

  it('a path that does not exist is missing', () => {
    expect(netnsKind('/run/netns/does-not-exist-cni-ts')).toEqual({ kind: 'missing' });
    expect(netnsKind('/etc/hostname/x')).toEqual({ kind: 'missing' });
  });
});
