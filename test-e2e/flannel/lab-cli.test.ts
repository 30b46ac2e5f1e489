// `cnictl lab up|status|down` through the built executable, as an operator runs it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cnictlIn } from '../lib/exec.ts';

const work = mkdtempSync(join(tmpdir(), 'cni-ts-lab-cli-'));
const prefix = `ctsc${randomBytes(3).toString('hex')}`;
const stateDir = join(work, 'state');
const labNetns = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l.startsWith(`${prefix}-`));

afterAll(() => {
  if (existsSync(stateDir)) cnictlIn(undefined, ['lab', 'down', '--state-dir', stateDir]);
  rmSync(work, { recursive: true, force: true });
});

describe('cnictl lab', () => {
  it('up builds the nodes and pods and prints them', () => {
    const r = cnictlIn(undefined, ['lab', 'up', '--nodes', '2', '--pods-per-node', '2', '--prefix', prefix, '--state-dir', stateDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/node1-pod1\s+node1\s+eth0\s+10\.244\.1\.\d+\/24/);
    expect(r.stdout).toMatch(/node2-pod2\s+node2\s+eth0\s+10\.244\.2\.\d+\/24/);
    expect(labNetns()).toHaveLength(7); // underlay, 2 nodes, 4 pods
  });

  it('a second up on the same state dir refuses and changes nothing', () => {
    const r = cnictlIn(undefined, ['lab', 'up', '--prefix', prefix, '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already up');
    expect(labNetns()).toHaveLength(7);
  });

  it('status shows the nodes and the addresses the pods have now', () => {
    const r = cnictlIn(undefined, ['lab', 'status', '--state-dir', stateDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node2\s+\S+-node2\s+192\.168\.100\.12\s+10\.244\.2\.0\/24/);
    expect(r.stdout).toMatch(/node1-pod2\s+node1\s+eth0\s+10\.244\.1\.\d+\/24\s+-/);
  });

  it('down removes every namespace and the state dir', () => {
    const r = cnictlIn(undefined, ['lab', 'down', '--state-dir', stateDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(labNetns()).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    expect(cnictlIn(undefined, ['lab', 'status', '--state-dir', stateDir]).code).toBe(1);
  });

  it('bad options are a usage error (exit 2) that names the option', () => {
    const r = cnictlIn(undefined, ['lab', 'up', '--nodes', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--nodes');
    expect(cnictlIn(undefined, ['lab', 'sideways']).code).toBe(2);
  });
});
