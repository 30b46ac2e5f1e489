import type { FlannelConf } from './config.ts';
import type { SubnetEnv } from './subnet-env.ts';

/**
 * The delegate's config, built as the reference flannel plugin builds it: the user's `delegate`
 * keys win; otherwise a bridge that is the pods' gateway, with the flannel MTU, masquerading
 * only when flanneld does not, and host-local ranges from this node's subnets with a route to
 * every flannel network.
 */
export function buildDelegateConf(conf: FlannelConf, env: SubnetEnv): Record<string, unknown> {
  const d: Record<string, unknown> = structuredClone(conf.delegate);
  if (conf.runtimeConfig !== undefined) d.runtimeConfig = structuredClone(conf.runtimeConfig);
  d.name = conf.name;
  if (!('type' in d)) d.type = 'bridge';
  if (!('ipMasq' in d)) d.ipMasq = delegateMasquerades(env);
  if (!('mtu' in d)) d.mtu = env.mtu;
  if (d.type === 'bridge' && !('isGateway' in d)) d.isGateway = true;
  if (conf.cniVersion !== undefined) d.cniVersion = conf.cniVersion;

  const ipam: Record<string, unknown> = structuredClone(conf.ipam);
  if (!('type' in ipam)) ipam.type = 'host-local';
  ipam.ranges = [env.subnet, env.ipv6Subnet].filter((s) => s !== undefined).map((subnet) => [{ subnet }]);
  ipam.routes = [...structuredClone(conf.routes), ...[...env.networks, ...env.ipv6Networks].map((dst) => ({ dst }))];
  d.ipam = ipam;
  return d;
}

/**
 * Whether the delegate masquerades: where flanneld does not, for the families this node has a
 * subnet of. The delegate's one `ipMasq` covers both families, so a dual-stack node whose
 * flanneld masquerades only one of them gets none from the delegate: masquerading a family twice
 * would hide pod addresses from pods on other nodes. Without FLANNEL_IPV6_MASQ this is the
 * reference's `!FLANNEL_IPMASQ`.
 */
function delegateMasquerades(env: SubnetEnv): boolean {
  const flanneldMasquerades = [...(env.subnet !== undefined ? [env.ipMasq] : []), ...(env.ipv6Subnet !== undefined ? [env.ipv6Masq] : [])];
  return flanneldMasquerades.every((m) => !m);
}

/**
 * JSON with object keys sorted at every level: the bytes Go's json.Marshal writes for the
 * reference's map-typed config, so saved files look alike whichever plugin wrote them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
