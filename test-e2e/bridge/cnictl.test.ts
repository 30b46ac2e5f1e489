import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cnictlIn } from '../lib/exec.ts';
import { BridgeLab, resultIps } from './lab.ts';

let lab: BridgeLab;
afterEach(() => lab?.cleanup());

/** cnictl (libcni's behaviour: result cache, prevResult, GC of cached attachments) run inside the node namespace. */
function cnictl(args: string[]): { code: number; stdout: string; stderr: string } {
  const dirs = ['--conf-dir', join(lab.dir, 'net.d'), '--cni-path', lab.bin, '--cache-dir', join(lab.dir, 'cache')];
  return cnictlIn(lab.fx.path(lab.node), [...args, ...dirs]);
}

describe('bridge + host-local conflist driven by cnictl', () => {
  for (const version of ['0.4.0', '1.0.0', '1.1.0']) {
    it(`${version}: add, check, del of two pods; the chain's result is what the pods have`, () => {
      lab = new BridgeLab();
      mkdirSync(join(lab.dir, 'net.d'));
      const plugin = lab.conf(version, [[{ subnet: '10.89.0.0/24' }], [{ subnet: 'fd89::/64' }]], { isGateway: true, ipMasq: true });
      writeFileSync(join(lab.dir, 'net.d', '10-e2e.conflist'), JSON.stringify({ cniVersion: version, name: 'e2enet', plugins: [{ ...plugin, name: undefined, cniVersion: undefined }] }));
      const p1 = lab.pod('p1');
      const p2 = lab.pod('p2');
      const a1 = cnictl(['add', 'e2enet', p1, '--container-id', 'pod1']);
      const a2 = cnictl(['add', 'e2enet', p2, '--container-id', 'pod2']);
      expect(a1.code, a1.stderr).toBe(0);
      expect(a2.code, a2.stderr).toBe(0);
      const r2 = JSON.parse(a2.stdout) as Record<string, unknown>;
      for (const ip of resultIps(r2)) expect(lab.ping(p1, ip), ip).toBe(true);
      const check = cnictl(['check', 'e2enet', p1, '--container-id', 'pod1']);
      expect(check.code, check.stderr + check.stdout).toBe(0);
      expect(cnictl(['del', 'e2enet', p1, '--container-id', 'pod1']).code).toBe(0);
      expect(cnictl(['del', 'e2enet', p2, '--container-id', 'pod2']).code).toBe(0);
      expect(lab.reserved()).toEqual([]);
      expect(lab.natRules()).not.toContain('CNI-');
    });
  }

  it('1.1.0 GC: attachments not in the valid list lose their masquerade rules and addresses', () => {
    lab = new BridgeLab();
    mkdirSync(join(lab.dir, 'net.d'));
    const plugin = lab.conf('1.1.0', [[{ subnet: '10.89.0.0/24' }]], { ipMasq: true });
    writeFileSync(join(lab.dir, 'net.d', '10-e2e.conflist'), JSON.stringify({ cniVersion: '1.1.0', name: 'e2enet', plugins: [{ ...plugin, name: undefined, cniVersion: undefined }] }));
    expect(cnictl(['add', 'e2enet', lab.pod('p1'), '--container-id', 'keep']).code).toBe(0);
    expect(cnictl(['add', 'e2enet', lab.pod('p2'), '--container-id', 'stale']).code).toBe(0);
    const gc = cnictl(['gc', 'e2enet', '--valid-attachments', JSON.stringify([{ containerID: 'keep', ifname: 'eth0' }])]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(lab.natRules()).toContain('id: \\"keep\\"');
    expect(lab.natRules()).not.toContain('id: \\"stale\\"');
    expect(lab.reserved()).toEqual(['10.89.0.2']);
  });
});
