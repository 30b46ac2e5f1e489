/**
 * One dual-stack result written at every cniVersion, for the conversion tests. FULL is what a
 * plugin builds (with 1.1.0-only fields); FROM_04 and FROM_020 are what survives a trip through
 * an older shape and back up.
 */
const interfaces110 = [
  { name: 'cni0', mac: '0a:58:0a:01:00:01' },
  { name: 'veth1234', mac: '0a:58:0a:01:00:02', mtu: 1400 },
  { name: 'eth0', mac: '0a:58:0a:01:00:05', sandbox: '/run/netns/c1', mtu: 1400, socketPath: '/run/x.sock', pciID: '0000:00:1f.0' },
];
const interfaces04 = [
  { name: 'cni0', mac: '0a:58:0a:01:00:01' },
  { name: 'veth1234', mac: '0a:58:0a:01:00:02' },
  { name: 'eth0', mac: '0a:58:0a:01:00:05', sandbox: '/run/netns/c1' },
];
const ips110 = [
  { address: '10.1.0.5/24', gateway: '10.1.0.1', interface: 2 },
  { address: '10.1.0.6/24', interface: 2 },
  { address: 'fd00::5/64', gateway: 'fd00::1', interface: 2 },
];
const ips04 = [
  { version: '4', interface: 2, address: '10.1.0.5/24', gateway: '10.1.0.1' },
  { version: '4', interface: 2, address: '10.1.0.6/24' },
  { version: '6', interface: 2, address: 'fd00::5/64', gateway: 'fd00::1' },
];
const routes110 = [
  { dst: '0.0.0.0/0', gw: '10.1.0.1', table: 100, mtu: 1400, advmss: 1360, priority: 5, scope: 0 },
  { dst: '::/0', gw: 'fd00::1' },
  { dst: '192.168.0.0/16' },
];
const routes04 = [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }, { dst: '::/0', gw: 'fd00::1' }, { dst: '192.168.0.0/16' }];
const dns = { nameservers: ['10.1.0.1'], domain: 'example.test', search: ['example.test'], options: ['ndots:2'] };

const legacy020 = {
  ip4: { ip: '10.1.0.5/24', gateway: '10.1.0.1', routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }, { dst: '192.168.0.0/16' }] },
  ip6: { ip: 'fd00::5/64', gateway: 'fd00::1', routes: [{ dst: '::/0', gw: 'fd00::1' }] },
  dns,
};

export const FULL: Record<string, Record<string, unknown>> = {
  '1.1.0': { cniVersion: '1.1.0', interfaces: interfaces110, ips: ips110, routes: routes110, dns },
  '1.0.0': { cniVersion: '1.0.0', interfaces: interfaces110, ips: ips110, routes: routes110, dns },
  '0.4.0': { cniVersion: '0.4.0', interfaces: interfaces04, ips: ips04, routes: routes04, dns },
  '0.3.1': { cniVersion: '0.3.1', interfaces: interfaces04, ips: ips04, routes: routes04, dns },
  '0.3.0': { cniVersion: '0.3.0', interfaces: interfaces04, ips: ips04, routes: routes04, dns },
  '0.2.0': { cniVersion: '0.2.0', ...legacy020 },
  '0.1.0': { cniVersion: '0.1.0', ...legacy020 },
};

/** A 0.3.x/0.4.0 result read up: the 1.1.0-only fields never existed. */
export const FROM_04: Record<string, Record<string, unknown>> = {
  '1.1.0': { cniVersion: '1.1.0', interfaces: interfaces04, ips: ips110, routes: routes04, dns },
  '1.0.0': { cniVersion: '1.0.0', interfaces: interfaces04, ips: ips110, routes: routes04, dns },
};

/** A 0.1.0/0.2.0 result read up: one address per family, no interfaces. */
const ips020 = [
  { address: '10.1.0.5/24', gateway: '10.1.0.1' },
  { address: 'fd00::5/64', gateway: 'fd00::1' },
];
const ips020as04 = [
  { version: '4', address: '10.1.0.5/24', gateway: '10.1.0.1' },
  { version: '6', address: 'fd00::5/64', gateway: 'fd00::1' },
];
const routes020 = [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }, { dst: '192.168.0.0/16' }, { dst: '::/0', gw: 'fd00::1' }];
export const FROM_020: Record<string, Record<string, unknown>> = {
  '1.1.0': { cniVersion: '1.1.0', ips: ips020, routes: routes020, dns },
  '1.0.0': { cniVersion: '1.0.0', ips: ips020, routes: routes020, dns },
  '0.4.0': { cniVersion: '0.4.0', ips: ips020as04, routes: routes020, dns },
  '0.3.1': { cniVersion: '0.3.1', ips: ips020as04, routes: routes020, dns },
  '0.3.0': { cniVersion: '0.3.0', ips: ips020as04, routes: routes020, dns },
};
