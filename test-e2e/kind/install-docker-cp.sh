#!/usr/bin/env bash
# Fallback installer for local runs: put cni-ts's executables into every node of a kind cluster
# with `docker cp`, no image build. Each build goes into its own directory on the node, named by
# its checksum (a file that /opt/cni/bin may hard-link to is never overwritten in place), then
# `cnictl install` links it into /opt/cni/bin by atomic rename. Safe to run again.
# Usage: install-docker-cp.sh [CLUSTER]   (default cni-ts)
set -euo pipefail
cluster="${1:-cni-ts}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
exe="$repo/dist/bin/cni-ts"
if [ ! -x "$exe" ]; then
  echo "no $exe: build it first with 'npm run build' in $repo" >&2
  exit 1
fi
nodes="$(kind get nodes --name "$cluster")"
if [ -z "$nodes" ]; then
  echo "kind cluster '$cluster' has no nodes" >&2
  exit 1
fi
release="/opt/cni-ts/$(sha256sum "$exe" | cut -c1-12)"
for node in $nodes; do
  # Same build already there: its file may be linked into /opt/cni/bin, so never copy over it.
  if ! docker exec "$node" test -x "$release/cni-ts"; then
    docker exec "$node" mkdir -p "$release"
    docker cp "$exe" "$node:$release/cni-ts.tmp"
    docker exec "$node" mv "$release/cni-ts.tmp" "$release/cni-ts"
  fi
  # The multi-call executable dispatches on its name: one link per program.
  docker exec "$node" sh -c "cd '$release' && for n in cnictl bridge host-local portmap flannel loopback; do ln -f cni-ts \"\$n\"; done"
  docker exec "$node" "$release/cnictl" install --dir /opt/cni/bin
done
