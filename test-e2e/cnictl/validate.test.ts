import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cnictlIn, DIST_BIN, REFERENCE_BIN } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = new Workspace('cnictl-e2e-');
});
afterEach(() => ws.remove());

const validate = (...args: string[]) => cnictlIn(undefined, ['validate', '--conf-dir', ws.confDir, ...args]);

describe('cnictl validate', () => {
  it('passes lists whose plugins exist and speak their version (ours and the reference)', () => {
    ws.writeList('10-ref.conflist', { cniVersion: '1.0.0', name: 'ref', plugins: [{ type: 'bridge' }, { type: 'portmap' }] });
    ws.writeList('20-ours.conflist', { cniVersion: '1.1.0', name: 'ours', plugins: [{ type: 'host-local' }] });
    expect(validate('--cni-path', REFERENCE_BIN, 'ref')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok +.*10-ref\.conflist \(network "ref", version 1\.0\.0\)/) });
    expect(validate('--cni-path', DIST_BIN, 'ours').code).toBe(0);
  });

  it('reports every problem per file and exits non-zero', () => {
    ws.writeList('10-newer.conflist', { cniVersion: '1.1.0', name: 'newer', plugins: [{ type: 'bridge' }] });
    ws.writeList('20-missing.conflist', { cniVersion: '1.0.0', name: 'missing', plugins: [{ type: 'nosuchplugin' }] });
    ws.writeList('30-notype.conflist', { cniVersion: '1.0.0', name: 'notype', plugins: [{ bridge: 'x' }] });
    ws.writeList('40-dup.conflist', { cniVersion: '1.0.0', name: 'newer', plugins: [{ type: 'bridge' }] });
    writeFileSync(join(ws.confDir, '50-broken.conf'), '{"name": ');
    const r = validate('--cni-path', REFERENCE_BIN);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PROBLEM +.*10-newer.*\n +- plugins\[0\] "bridge" does not support version 1\.1\.0 \(it supports .*1\.0\.0\)/);
    expect(r.stdout).toMatch(/PROBLEM +.*20-missing.*\n +- plugins\[0\] "nosuchplugin": failed to find plugin "nosuchplugin" in CNI_PATH/);
    expect(r.stdout).toMatch(/PROBLEM +.*30-notype\.conflist\n +- .*plugins\[0\]: missing "type"/);
    expect(r.stdout).toMatch(/PROBLEM +.*40-dup.*\n +- network name "newer" is also used by .*10-newer\.conflist/);
    expect(r.stdout).toMatch(/PROBLEM +.*50-broken\.conf\n +- .*not valid JSON/);
  });
});
