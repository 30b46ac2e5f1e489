import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cnictlIn, REFERENCE_BIN } from '../lib/exec.ts';

const leftovers = (stdout: string): string => {
  const prefix = /namespaces (ctsdemo[0-9a-f]+)-\*/.exec(stdout)?.[1];
  expect(prefix).toBeDefined();
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.startsWith(`${prefix!}-`)).join(' ');
};

describe('cnictl demo', () => {
  it('passes every check with our plugins from dist/bin, portmap included', () => {
    const r = cnictlIn(undefined, ['demo', '--pods', '2', '--no-lab']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok +node [\d.]+:8080 -> pod1:80 \(portmap DNAT\): "hello from pod1"/);
    expect(r.stdout).toMatch(/ok +CHECK pod2/);
    expect(r.stdout).toContain('demo: every check passed');
    expect(leftovers(r.stdout)).toBe('');
  });

  it('runs pods on a bridge through a real chain, checks connectivity, and leaves nothing behind', () => {
    // The reference plugins, without portmap: Debian's portmap 1.1.1 fails its own CHECK.
    const r = cnictlIn(undefined, ['demo', '--cni-path', REFERENCE_BIN, '--pods', '2', '--no-portmap', '--no-lab']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ADD +pod1: 10\.244\.\d+\.\d+\/24/);
    expect(r.stdout).toMatch(/ok +ping pod1 -> pod2/);
    expect(r.stdout).toMatch(/ok +IP store empty/);
    expect(r.stdout).not.toMatch(/FAIL/);
    expect(leftovers(r.stdout)).toBe('');
  });
});
