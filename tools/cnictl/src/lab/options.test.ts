import { describe, expect, it } from 'vitest';
import { parseLabOptions } from './options.ts';

describe('cnictl lab options', () => {
  it('defaults to two nodes, one pod each, IPv4, prefix ctslab under /run/cni-ts-lab', () => {
    const o = parseLabOptions([]);
    expect(o).toMatchObject({ runtime: 'namespace', prefix: 'ctslab', stateDir: '/run/cni-ts-lab/ctslab', podsPerNode: [1, 1], dualStack: false });
    expect(o.cniPath).toBe(o.binDir);
  });

  it('takes a pod count for every node, or a list that sets the node count', () => {
    expect(parseLabOptions(['--nodes', '3', '--pods-per-node', '4']).podsPerNode).toEqual([4, 4, 4]);
    expect(parseLabOptions(['--pods-per-node', '4,3,3', '--dual-stack']).podsPerNode).toEqual([4, 3, 3]);
    expect(parseLabOptions(['--pods-per-node', '2,1', '--nodes', '2', '--prefix', 'demo1', '--state-dir', '/tmp/x'])).toMatchObject({
      prefix: 'demo1',
      stateDir: '/tmp/x',
      podsPerNode: [2, 1],
    });
  });

  it('runs the pods through containerd with --runtime containerd', () => {
    expect(parseLabOptions(['--runtime', 'containerd']).runtime).toBe('containerd');
  });

  it('uses the cnictl beside --bin-dir when there is one, else the running executable', () => {
    expect(parseLabOptions(['--bin-dir', '/nonexistent']).cnictl).toBe(process.execPath);
  });

  it.each([
    [['--nodes', '0'], '--nodes'],
    [['--nodes', 'two'], '--nodes'],
    [['--pods-per-node', '1,x'], '--pods-per-node'],
    [['--pods-per-node', '1,2', '--nodes', '3'], 'lists 2 nodes'],
    [['--prefix', 'Bad-Prefix'], '--prefix'],
    [['--colour'], 'unknown option --colour'],
    [['--runtime', 'docker'], '--runtime must be namespace or containerd'],
    [['extra'], 'unexpected argument'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseLabOptions(argv)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining(message) }));
  });
});
