import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_BIN, runPlugin } from '../lib/exec.ts';
import { run } from '../podman/lib/sh.ts';
import { KIND_DIR } from './lib/files.ts';

/**
 * Stand-ins for the two commands install-docker-cp.sh drives: a kind "node" is a directory, and
 * `docker exec` runs the command for real with that directory's opt/ mounted over /opt in a
 * private mount namespace (the host's /opt is never touched); `docker cp` copies into it.
 */
const DOCKER = `#!/usr/bin/env bash
set -euo pipefail
case "$1" in
  exec)
    shift
    env=()
    while [ "$1" = -e ]; do env+=("$2"); shift 2; done
    node="$1"; shift
    exec unshare --mount --propagation private sh -c 'mount --bind "$0" /opt && exec env "$@"' "$FAKE_NODES/$node/opt" "\${env[@]}" "$@" ;;
  cp) exec cp "$2" "$FAKE_NODES/\${3%%:*}\${3#*:}" ;;
  *) echo "docker stand-in: $1 is not supported" >&2; exit 2 ;;
esac
`;
const KIND = `#!/usr/bin/env bash
[ "$1 $2 $3" = "get nodes --name" ] || { echo "kind stand-in: $* is not supported" >&2; exit 2; }
for d in "$FAKE_NODES/$4"-*; do if [ -d "$d" ]; then basename "$d"; fi; done
`;

describe('install-docker-cp.sh (docker and kind stood in, cnictl install for real)', () => {
  let dir: string;
  const nodes = ['cni-ts-control-plane', 'cni-ts-worker'];
  const nodeBin = (node: string) => join(dir, 'nodes', node, 'opt/cni/bin');
  const script = () =>
    run(['bash', join(KIND_DIR, 'install-docker-cp.sh'), 'cni-ts'], {
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_NODES: join(dir, 'nodes') },
      timeoutMs: 120_000,
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cts-kind-dockercp-'));
    mkdirSync(join(dir, 'bin'));
    for (const [name, body] of [['docker', DOCKER], ['kind', KIND]] as const) {
      writeFileSync(join(dir, 'bin', name), body);
      chmodSync(join(dir, 'bin', name), 0o755);
    }
    for (const node of nodes) {
      mkdirSync(nodeBin(node), { recursive: true });
      // kind's node image ships plugins there: its loopback (which ours replaces) and others.
      writeFileSync(join(nodeBin(node), 'loopback'), 'kind loopback');
      writeFileSync(join(nodeBin(node), 'ptp'), 'kind ptp');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("puts flannel, bridge, host-local, portmap and loopback into every node's /opt/cni/bin, leaving the rest", () => {
    const r = script();
    expect(r.code, r.stderr).toBe(0);
    const size = statSync(join(DIST_BIN, 'cni-ts')).size;
    for (const node of nodes) {
      for (const plugin of ['flannel', 'bridge', 'host-local', 'portmap', 'loopback']) {
        expect(statSync(join(nodeBin(node), plugin)).size).toBe(size);
        const v = runPlugin(join(nodeBin(node), plugin), { command: 'VERSION', config: { cniVersion: '1.0.0' } });
        expect(v.json?.supportedVersions, v.stderr).toContain('1.0.0');
      }
      expect(readFileSync(join(nodeBin(node), 'ptp'), 'utf8')).toBe('kind ptp');
    }
  });

  it('changes nothing when run again: the installed files keep their inodes', () => {
    const before = nodes.map((n) => statSync(join(nodeBin(n), 'bridge')).ino);
    const r = script();
    expect(r.code, r.stderr).toBe(0);
    expect(nodes.map((n) => statSync(join(nodeBin(n), 'bridge')).ino)).toEqual(before);
  });

  it('stops with a clear message when the cluster has no nodes', () => {
    const r = run(['bash', join(KIND_DIR, 'install-docker-cp.sh'), 'absent'], {
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_NODES: join(dir, 'nodes') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("kind cluster 'absent' has no nodes");
  });
});
