import { describe, expect, it } from 'vitest';
import type { CachedAttachment } from '../../runtime/cache.ts';
import type { Node } from '../context.ts';
import { staleness } from './owners.ts';

const BOOT = Date.parse('2026-12-02T03:00:00Z');
const node = (gone: string[] = []) => ({ bootTimeMs: BOOT, cache: { dir: '/c' }, netnsExists: (p: string) => !gone.includes(p) }) as unknown as Node;
const cached = (netns: string) => ({ network: 'n', containerId: 'c', ifName: 'eth0', netns }) as CachedAttachment;

describe('staleness', () => {
  it('is proven by a time before the boot or a netns gone, never by a missing cache entry alone', () => {
    expect(staleness(node(), cached('/run/netns/p'), BOOT + 1000)).toBeUndefined();
    expect(staleness(node(), cached('/run/netns/p'), BOOT - 1000)).toEqual({ proven: true, why: 'made before the last boot' });
    expect(staleness(node(['/run/netns/p']), cached('/run/netns/p'), undefined)).toEqual({ proven: true, why: 'its netns /run/netns/p is gone' });
    expect(staleness(node(), undefined, BOOT + 1000)).toEqual({ proven: false, why: 'no libcni cache entry in /c/results' });
  });

  it('a cached attachment without a netns (added with none) is not judged by it', () => {
    expect(staleness(node(['']), cached(''), undefined)).toBeUndefined();
  });
});
