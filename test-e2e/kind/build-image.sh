#!/usr/bin/env bash
# Build the installer image (Dockerfile beside this script) from dist/bin/cni-ts.
# Usage: build-image.sh [TAG]   (default cni-ts-install:dev, the tag the manifests use)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tag="${1:-cni-ts-install:dev}"
exe="$repo/dist/bin/cni-ts"
if [ ! -x "$exe" ]; then
  echo "no $exe: build it first with 'npm run build' in $repo" >&2
  exit 1
fi
# A context holding only the executable: the repository (node_modules, dist's other names for
# the same file) would be sent to the builder for nothing.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$exe" "$context/cni-ts"
docker build -t "$tag" -f "$here/Dockerfile" "$context"
