import { describe, expect, it } from 'vitest';
import { enableRouteLocalnet, routeInterface, type HostFiles } from './localnet.ts';

const ROUTES = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	0100A8C0	0003	0	0	0	00000000	0	0	0
cni0	0000630A	00000000	0001	0	0	0	00FFFFFF	0	0	0
cni1	0000000A	00000000	0001	0	0	0	000000FF	0	0	0
`;

describe('routeInterface', () => {
  it('picks the longest matching prefix of the main table', () => {
    expect(routeInterface(ROUTES, '10.99.0.7')).toBe('cni0');
    expect(routeInterface(ROUTES, '10.5.0.7')).toBe('cni1');
    expect(routeInterface(ROUTES, '8.8.8.8')).toBe('eth0');
  });
});

describe('enableRouteLocalnet', () => {
  it('sets route_localnet on the interface towards the pod once', () => {
    const files: Record<string, string> = { '/proc/net/route': ROUTES, '/proc/sys/net/ipv4/conf/cni0/route_localnet': '0\n' };
    const writes: string[] = [];
    const fake: HostFiles = { read: (p) => files[p], write: (p, d) => void (writes.push(p), (files[p] = d)) };
    expect(enableRouteLocalnet(fake, '10.99.0.7')).toBe('cni0');
    expect(enableRouteLocalnet(fake, '10.99.0.8')).toBe('cni0');
    expect(writes).toEqual(['/proc/sys/net/ipv4/conf/cni0/route_localnet']);
  });
});
