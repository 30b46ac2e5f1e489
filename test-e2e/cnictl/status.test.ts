import { NetnsFixture } from '@cni-ts/linux/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inNetns } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';

// `cnictl status` says what a runtime would learn: a list below 1.1.0 is never asked (a
// configuration matter, exit 2), and a bridge holding an address outside its network's subnet
// is not ready, with the ADD error it would cause and its fix.
let ns: NetnsFixture;
let ws: Workspace;
let node: string;

beforeEach(() => {
  ns = new NetnsFixture('op');
  ws = new Workspace('ctsop-status-');
  node = ns.path(ns.create('node'));
});
afterEach(() => {
  ns.cleanup();
  ws.remove();
});

const list = (cniVersion: string) => ({
  cniVersion,
  name: 'snet',
  plugins: [{ type: 'bridge', bridge: 'ctsopbr2', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.82.0.0/24' }]], dataDir: ws.dataDir } }],
});

describe('cnictl status', () => {
  it.each(['0.3.1', '1.0.0'])('on a %s list: no plugin is asked, exit 2, and how to have runtimes ask', (version) => {
    ws.writeList('10-s.conflist', list(version));
    const r = ws.cnictl(node, ['status', 'snet']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`is version ${version}: runtimes never send STATUS or GC to a list below 1.1.0, so no plugin was asked`);
    expect(r.stderr).toContain('"cniVersion": "1.1.0"');
  });

  it('a bridge holding a conflicting address is not ready, naming the address and the fix', () => {
    ws.writeList('10-s.conflist', list('1.1.0'));
    expect(ws.cnictl(node, ['status', 'snet'])).toMatchObject({ code: 0, stdout: expect.stringContaining('every plugin is ready') });
    inNetns(node, ['ip', 'link', 'add', 'ctsopbr2', 'type', 'bridge']);
    expect(ws.cnictl(node, ['status', 'snet']).code).toBe(0); // a bridge without addresses is fine
    inNetns(node, ['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'ctsopbr2']);
    const r = ws.cnictl(node, ['status', 'snet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('plugin "bridge" failed (STATUS): CNI error 50: cannot add pods: bridge "ctsopbr2" already has an IP address different from 10.82.0.1/24: it has 10.99.0.1/24');
    expect(r.stderr).toContain('ip addr del 10.99.0.1/24 dev ctsopbr2');
    inNetns(node, ['ip', 'addr', 'add', '10.82.0.1/24', 'dev', 'ctsopbr2']);
    inNetns(node, ['ip', 'addr', 'del', '10.99.0.1/24', 'dev', 'ctsopbr2']);
    expect(ws.cnictl(node, ['status', 'snet']).code).toBe(0);
  });
});
