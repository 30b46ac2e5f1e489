import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cniError, conf, LoopbackLab } from './lib.ts';

let lab: LoopbackLab;
beforeEach(() => {
  lab = new LoopbackLab();
});
afterEach(() => lab.cleanup());

describe('loopback STATUS and GC (cniVersion 1.1.0)', () => {
  it('STATUS is ready, and GC succeeds with the valid list under either name libcni sends', () => {
    expect(lab.ours({ command: 'STATUS', config: conf('1.1.0') })).toMatchObject({ code: 0, stdout: '' });
    const valid = [{ containerID: 'c1', ifname: 'lo' }];
    for (const key of ['cni.dev/valid-attachments', 'cni.dev/attachments']) {
      expect(lab.ours({ command: 'GC', config: conf('1.1.0', { [key]: valid }) })).toMatchObject({ code: 0, stdout: '' });
    }
  });

  it('both are refused below 1.1.0, as the spec says', () => {
    for (const command of ['STATUS', 'GC'] as const) {
      expect(cniError(lab.ours({ command, config: conf('1.0.0') })).code).toBe(1);
    }
  });
});

describe('loopback refuses bad input with one CNI error and leaves lo as it was', () => {
  const cases: Array<{ what: string; call: (netns: string) => Parameters<LoopbackLab['ours']>[0]; code: number; msg: RegExp }> = [
    { what: 'config not a JSON object', call: (netns) => ({ command: 'ADD', netns, config: ['loopback'] }), code: 6, msg: /must be a JSON object/ },
    { what: 'an unknown cniVersion', call: (netns) => ({ command: 'ADD', netns, config: conf('9.9.9') }), code: 1, msg: /"9\.9\.9" is not supported/ },
    { what: 'no network name', call: (netns) => ({ command: 'ADD', netns, config: { cniVersion: '1.0.0', type: 'loopback' } }), code: 7, msg: /name/ },
    { what: 'CNI_CONTAINERID missing', call: (netns) => ({ command: 'ADD', netns, containerId: '' }), code: 4, msg: /\[CNI_CONTAINERID\] missing/ },
    { what: 'CHECK below 0.4.0', call: (netns) => ({ command: 'CHECK', netns, config: conf('0.3.1') }), code: 1, msg: /CHECK needs >= 0\.4\.0/ },
    { what: 'a bad valid-attachments list', call: () => ({ command: 'GC', config: conf('1.1.0', { 'cni.dev/valid-attachments': 'c1' }) }), code: 7, msg: /"cni\.dev\/valid-attachments" must be a list/ },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const netns = lab.pod('bad');
      const before = lab.lo(netns);
      const err = cniError(lab.ours(c.call(netns)));
      expect(err.code).toBe(c.code);
      expect(err.msg).toMatch(c.msg);
      expect(lab.lo(netns)).toEqual(before);
    });
  }

  it('ADD into a namespace that does not exist: code 8 naming it (the reference says 999)', () => {
    const gone = `${lab.pod('gone')}-never-made`;
    expect(cniError(lab.ours({ command: 'ADD', netns: gone }))).toEqual({ cniVersion: '1.0.0', code: 8, msg: `CNI_NETNS ${gone} does not exist` });
    expect(lab.reference({ command: 'ADD', netns: gone }).json).toMatchObject({ code: 999 });
  });

  it('ADD and CHECK on a file that is not a network namespace: code 8 saying so; DEL succeeds (nothing of ours is there); the reference fails all three', () => {
    for (const command of ['ADD', 'CHECK'] as const) {
      const err = cniError(lab.ours({ command, netns: '/etc/hostname' }));
      expect(err).toMatchObject({ code: 8, msg: 'CNI_NETNS /etc/hostname is not a network namespace: it is an ordinary file' });
    }
    const del = lab.ours({ command: 'DEL', netns: '/etc/hostname' });
    expect([del.code, del.stdout]).toEqual([0, '']);
    for (const command of ['ADD', 'CHECK', 'DEL'] as const) expect(lab.reference({ command, netns: '/etc/hostname' }).json).toMatchObject({ code: 999 });
  });
});
