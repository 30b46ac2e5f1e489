#!/usr/bin/env bash
# Fallback installer for local runs: put cni-ts's executables into every node of a kind cluster
# with `docker cp`, no image build. Each run copies the executable into a new directory on the
# node (a file that /opt/cni/bin may hard-link to is never overwritten in place), then lets
# `cnictl install` link it into /opt/cni/bin by atomic rename.
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
  docker exec "$node" mkdir -p "$release"
  docker cp "$exe" "$node:$release/cni-ts"
  # The multi-call executable dispatches on its name: one link per program.
  docker exec "$node" sh -c "cd '$release' && for n in cnictl bridge host-local portmap flannel; do ln -f cni-ts \"\$n\"; done"
  docker exec "$node" "$release/cnictl" install --dir /opt/cni/bin
done
