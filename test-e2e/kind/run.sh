#!/usr/bin/env bash
# End-to-end on a kind cluster: create it without a default CNI, install cni-ts's plugins and
# flannel, then assert cross-node pod ping and HTTP, a hostPort, and clean DEL; delete the cluster.
#
# Needs docker, kind and kubectl, and dist/bin built (npm run build). Environment:
#   INSTALL=flannel-init (default)  kube-flannel.yml's init container runs the installer image
#   INSTALL=daemonset               install-daemonset.yaml installs; flannel without its installer
#   INSTALL=docker-cp               install-docker-cp.sh copies dist/bin in; no image is built
#   KEEP_CLUSTER=1                  leave the cluster up afterwards (delete: kind delete cluster --name cni-ts)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cluster=cni-ts
image=cni-ts-install:dev
install="${INSTALL:-flannel-init}"
kubectl=(kubectl --context "kind-$cluster")

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
case "$install" in flannel-init | daemonset | docker-cp) ;; *) fail "INSTALL must be flannel-init, daemonset or docker-cp" ;; esac

cleanup() {
  if [ "${KEEP_CLUSTER:-}" = 1 ]; then
    echo "cluster kept: kind delete cluster --name $cluster"
  else
    kind delete cluster --name "$cluster"
  fi
}

trap cleanup EXIT
step "create kind cluster $cluster (no default CNI)"
kind create cluster --config "$here/cluster.yaml" --wait 0s

case "$install" in
  flannel-init | daemonset)
    step "build and load the installer image $image"
    "$here/build-image.sh" "$image"
    kind load docker-image "$image" --name "$cluster"
    ;;
esac

case "$install" in
  flannel-init)
    step "install flannel; its init container installs cni-ts's plugins"
    "$here/flannel-manifest.sh" | "${kubectl[@]}" apply -f -
    ;;
  daemonset)
    step "install cni-ts's plugins with the installer DaemonSet"
    "${kubectl[@]}" apply -f "$here/install-daemonset.yaml"
    "${kubectl[@]}" -n kube-system rollout status daemonset/cni-ts-install --timeout=180s
    "$here/flannel-manifest.sh" --without-installer | "${kubectl[@]}" apply -f -
    ;;
  docker-cp)
    step "copy cni-ts's plugins into the nodes"
    "$here/install-docker-cp.sh" "$cluster"
    "$here/flannel-manifest.sh" --without-installer | "${kubectl[@]}" apply -f -
    ;;
esac
"${kubectl[@]}" -n kube-flannel rollout status daemonset/kube-flannel-ds --timeout=300s

step "every node runs cni-ts's executables"
sum_of() { sha256sum | cut -d' ' -f1; }
want="$(sum_of < "$here/../../dist/bin/cni-ts")"
for node in $(kind get nodes --name "$cluster"); do
  for plugin in flannel bridge host-local portmap loopback; do
    got="$(docker exec "$node" cat "/opt/cni/bin/$plugin" | sum_of)"
    [ "$got" = "$want" ] || fail "$node:/opt/cni/bin/$plugin is not dist/bin/cni-ts"
  done
  docker exec -e CNI_COMMAND=VERSION "$node" /opt/cni/bin/flannel </dev/null | grep -q supportedVersions \
    || fail "$node: flannel does not answer VERSION"
done

step "nodes become Ready once the CNI config is in place"
"${kubectl[@]}" wait --for=condition=Ready nodes --all --timeout=300s

step "two pods on two workers"
"${kubectl[@]}" apply -f "$here/pods.yaml"
"${kubectl[@]}" wait --for=condition=Ready pod/cni-ts-web pod/cni-ts-client --timeout=300s
web_ip="$("${kubectl[@]}" get pod cni-ts-web -o jsonpath='{.status.podIP}')"
client_ip="$("${kubectl[@]}" get pod cni-ts-client -o jsonpath='{.status.podIP}')"
web_host="$("${kubectl[@]}" get pod cni-ts-web -o jsonpath='{.status.hostIP}')"
echo "web $web_ip on $web_host, client $client_ip"
case "$web_ip" in 10.244.*) ;; *) fail "web pod IP $web_ip is not in the pod subnet" ;; esac
[ "${web_ip%.*}" != "${client_ip%.*}" ] || fail "pods on different nodes share a /24: $web_ip, $client_ip"

step "cross-node ping and HTTP between pods"
"${kubectl[@]}" exec cni-ts-client -- ping -c 3 -W 2 "$web_ip"
"${kubectl[@]}" exec cni-ts-client -- wget -qO- -T 5 "http://$web_ip/" | grep -q 'served by cni-ts-web' \
  || fail "client could not fetch from web at $web_ip:80"

step "hostPort 18080 on the web pod's node"
"${kubectl[@]}" exec cni-ts-client -- wget -qO- -T 5 "http://$web_host:18080/" | grep -q 'served by cni-ts-web' \
  || fail "client could not reach hostPort $web_host:18080"
docker exec "$cluster-worker2" curl -sS -m 5 "http://$web_host:18080/" | grep -q 'served by cni-ts-web' \
  || fail "node $cluster-worker2 could not reach hostPort $web_host:18080"

step "deleting the pods leaves no address or rule behind"
"${kubectl[@]}" delete -f "$here/pods.yaml" --wait=true --timeout=120s
if docker exec "$cluster-worker" iptables-save | grep -F -w -- "$web_ip"; then
  fail "rules for $web_ip are left on $cluster-worker"
fi
if docker exec "$cluster-worker" test -e "/var/lib/cni/networks/cbr0/$web_ip"; then
  fail "host-local still reserves $web_ip on $cluster-worker"
fi

printf '\nPASS: kind e2e (INSTALL=%s)\n' "$install"
