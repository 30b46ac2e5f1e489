import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REFERENCE_BIN } from '../lib/exec.ts';
import { cnictlIn } from './helpers.ts';

describe('cnictl demo', () => {
  it('runs pods on a bridge through a real chain, checks connectivity, and leaves nothing behind', () => {
    // The reference plugins, without portmap: Debian's portmap 1.1.1 fails its own CHECK.
    const r = cnictlIn(undefined, ['demo', '--cni-path', REFERENCE_BIN, '--pods', '2', '--no-portmap', '--no-lab']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ADD +pod1: 10\.244\.\d+\.\d+\/24/);
    expect(r.stdout).toMatch(/ok +ping pod1 -> pod2/);
    expect(r.stdout).toMatch(/ok +IP store empty/);
    expect(r.stdout).not.toMatch(/FAIL/);
    const prefix = /namespaces (ctsdemo[0-9a-f]+)-\*/.exec(r.stdout)?.[1];
    expect(prefix).toBeDefined();
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(prefix);
  });
});
