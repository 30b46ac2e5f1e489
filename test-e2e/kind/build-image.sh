#!/usr/bin/env bash
# Build the installer image (Dockerfile beside this script).
# Usage: build-image.sh [TAG]   (default cni-ts-install:dev, the tag the manifests use)
#   without PLATFORM: for this machine's architecture, from dist/bin/cni-ts (npm run build);
#   PLATFORM=linux/arm64, or PLATFORM=linux/amd64,linux/arm64: with docker buildx, from the
#   executables in dist/release's tarballs (npm run release builds both on either machine).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tag="${1:-cni-ts-install:dev}"
# A context holding only the executables: the repository (node_modules, dist's other names for
# the same file) would be sent to the builder for nothing.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
if [ -z "${PLATFORM:-}" ]; then
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no cni-ts build for $(uname -m)" >&2; exit 1 ;;
  esac
  exe="$repo/dist/bin/cni-ts"
  if [ ! -x "$exe" ]; then
    echo "no $exe: build it first with 'npm run build' in $repo" >&2
    exit 1
  fi
  cp "$exe" "$context/cni-ts-linux-$arch"
  docker build -t "$tag" -f "$here/Dockerfile" "$context"
else
  for platform in ${PLATFORM//,/ }; do
    arch="${platform#linux/}"
    tarballs=("$repo"/dist/release/cni-ts-linux-"$arch"-v*.tgz)
    if [ ! -f "${tarballs[0]}" ]; then
      echo "no dist/release/cni-ts-linux-$arch-v*.tgz: run 'npm run release' in $repo first" >&2
      exit 1
    fi
    tar -xzf "${tarballs[0]}" -C "$context" cni-ts
    mv "$context/cni-ts" "$context/cni-ts-linux-$arch"
  done
  # --load keeps a single-platform image in the local image store (kind load docker-image takes
  # it from there); a multi-platform image has to go to a registry (pass --push in BUILDX_FLAGS).
  read -r -a flags <<< "${BUILDX_FLAGS:---load}"
  docker buildx build --platform "$PLATFORM" "${flags[@]}" -t "$tag" -f "$here/Dockerfile" "$context"
fi
