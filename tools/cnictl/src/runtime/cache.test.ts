import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultCache, type CachedAttachment } from './cache.ts';

let dir: string;
let cache: ResultCache;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnictl-cache-'));
  cache = new ResultCache(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (over: Partial<CachedAttachment> = {}): CachedAttachment => ({
  network: 'net',
  containerId: 'c1',
  ifName: 'eth0',
  netns: '/run/netns/x',
  cniArgs: [['IgnoreUnknown', '1']],
  capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80 }] },
  config: Buffer.from('{"name":"net"}'),
  result: { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] },
  ...over,
});

describe('ResultCache', () => {
  it("writes libcni's cniCacheV1 file at results/<net>-<cid>-<ifname>, 0600 in a 0700 dir", () => {
    cache.write(entry());
    const file = join(dir, 'results', 'net-c1-eth0');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'results')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      kind: 'cniCacheV1',
      containerId: 'c1',
      config: Buffer.from('{"name":"net"}').toString('base64'),
      ifName: 'eth0',
      networkName: 'net',
      netns: '/run/netns/x',
      cniArgs: [['IgnoreUnknown', '1']],
      capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80 }] },
      result: { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] },
    });
  });

  it('omits empty netns, args and capability args, as libcni does', () => {
    cache.write(entry({ netns: '', cniArgs: [], capabilityArgs: {} }));
    const json = JSON.parse(readFileSync(cache.path(entry()), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['kind', 'containerId', 'config', 'ifName', 'networkName', 'result']);
  });

  it('reads back what it wrote; nothing for a missing file', () => {
    cache.write(entry());
    expect(cache.read(entry())).toEqual(entry());
    expect(cache.read({ network: 'net', containerId: 'other', ifName: 'eth0' })).toBeUndefined();
  });

  it('reports a corrupt or foreign file as an Error value', () => {
    cache.write(entry());
    writeFileSync(cache.path(entry()), '{"kind":"cniCacheV1", tru');
    expect(cache.read(entry())).toBeInstanceOf(Error);
    writeFileSync(cache.path(entry()), JSON.stringify({ kind: 'other' }));
    expect(String(cache.read(entry()))).toMatch(/not a cniCacheV1 record/);
  });

  it("lists a network's attachments only, even when another network's name extends it", () => {
    cache.write(entry({ containerId: 'a' }));
    cache.write(entry({ containerId: 'b', ifName: 'net1' }));
    cache.write(entry({ network: 'net-2', containerId: 'c' }));
    writeFileSync(join(dir, 'results', 'net-broken-eth0'), 'not json');
    expect(cache.list('net').map((e) => `${e.containerId}/${e.ifName}`)).toEqual(['a/eth0', 'b/net1']);
    expect(cache.list('missing-net')).toEqual([]);
  });

  it('removes an entry, and removing twice is fine', () => {
    cache.write(entry());
    cache.remove(entry());
    cache.remove(entry());
    expect(cache.read(entry())).toBeUndefined();
  });
});
