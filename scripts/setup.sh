#!/usr/bin/env bash
# Install everything the plugins, the demo and the tests need on a Debian/Ubuntu machine (as root),
# then the npm dependencies. Safe to run again: only missing Debian packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# iproute2, iptables, nftables, conntrack: what the plugins drive. containernetworking-plugins: the
# reference Go plugins (/usr/lib/cni) for side-by-side tests and benchmarks. busybox-static: servers
# and clients inside test namespaces, the podman rootfs and the containerd images. podman, containerd
# and runc: the real-runtime e2e (containerd's CRI as the kubelet drives it; the tests and
# `cnictl lab up --runtime containerd` start private instances, never the packaged service).
# qemu-user + libc6-arm64-cross: the linux-arm64 release's tests on an x86_64 machine.
packages=(iproute2 iptables nftables conntrack kmod procps iputils-ping util-linux busybox-static
  containernetworking-plugins podman containerd runc curl shellcheck yamllint qemu-user libc6-arm64-cross)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
