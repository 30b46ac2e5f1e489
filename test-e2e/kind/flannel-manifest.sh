#!/usr/bin/env bash
# Print kube-flannel.yml, or with --without-installer the same manifest minus cni-ts's
# install-cni-plugin init container: for clusters whose nodes got the plugins another way
# (install-daemonset.yaml or install-docker-cp.sh), so no installer image is needed.
set -euo pipefail
manifest="$(dirname "$0")/kube-flannel.yml"
case "${1:-}" in
  "") cat "$manifest" ;;
  --without-installer) sed '/# >>> cni-ts installer/,/# <<< cni-ts installer/d' "$manifest" ;;
  *) echo "usage: $0 [--without-installer]" >&2; exit 2 ;;
esac
