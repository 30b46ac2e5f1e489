import { readFileSync } from 'node:fs';
import { CniError, ErrorCode } from '@cni-ts/core';
import { formatCidr, networkOf, parseCidr } from '@cni-ts/core/net/ip';

/** What flanneld tells the node about its share of the pod network (its subnet.env). */
export interface SubnetEnv {
  /** FLANNEL_NETWORK: the cluster's IPv4 pod networks, masked and deduplicated. */
  networks: string[];
  /** FLANNEL_SUBNET as a network (10.1.17.1/24 -> 10.1.17.0/24): this node's IPv4 pod range. */
  subnet?: string;
  ipv6Networks: string[];
  ipv6Subnet?: string;
  mtu: number;
  /** True when flanneld masquerades pod traffic itself; the delegate then must not. */
  ipMasq: boolean;
  /**
   * FLANNEL_IPV6_MASQ, which newer flanneld writes to set IPv6 masquerade apart from IPv4; when
   * absent, FLANNEL_IPMASQ covers both families, as it always did.
   */
  ipv6Masq: boolean;
}

/**
 * Read flanneld's subnet.env. A missing file means flanneld has not started (or not finished)
 * on this node: the runtime should retry, so that is code 11, not a config error.
 */
export function loadSubnetEnv(file: string): SubnetEnv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      throw new CniError(
        ErrorCode.TryAgainLater,
        `failed to load flannel 'subnet.env' file: ${file} does not exist. Check that flanneld is running on this node (the flannel pod log)`,
      );
    }
    throw new CniError(ErrorCode.IoFailure, `failed to read flannel subnet file ${file}: ${e.message}`);
  }
  return parseSubnetEnv(text, file);
}

/**
 * Parse the file's text. flanneld writes plain KEY=VALUE lines; hand-written or templated files
 * add quotes, comments, blank lines, `export` and CRLF, which are all accepted. Unknown keys and
 * lines that are not assignments are ignored, as the reference does.
 */
export function parseSubnetEnv(text: string, file: string): SubnetEnv {
  const values = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).replace(/^export\s+/, '').trim();
    values.set(key, unquote(line.slice(eq + 1).trim()));
  }

  const bad = (key: string, why: string): CniError =>
    new CniError(ErrorCode.InvalidConfig, `${file}: ${key}=${JSON.stringify(values.get(key))} ${why}`);

  const cidrList = (key: string, family: 4 | 6): string[] => {
    const raw = values.get(key);
    if (raw === undefined) return [];
    const out: string[] = [];
    for (const item of raw.split(',').map((s) => s.trim())) {
      const c = parseCidr(item);
      if (!c || c.family !== family) throw bad(key, `is not a list of IPv${family} CIDRs (item "${item}")`);
      const network = formatCidr(networkOf(c));
      if (!out.includes(network)) out.push(network);
    }
    return out;
  };
  const cidr = (key: string, family: 4 | 6): string | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    const c = parseCidr(raw);
    if (!c || c.family !== family) throw bad(key, `is not an IPv${family} CIDR`);
    return formatCidr(networkOf(c));
  };

  const env: Partial<SubnetEnv> = {
    networks: cidrList('FLANNEL_NETWORK', 4),
    subnet: cidr('FLANNEL_SUBNET', 4),
    ipv6Networks: cidrList('FLANNEL_IPV6_NETWORK', 6),
    ipv6Subnet: cidr('FLANNEL_IPV6_SUBNET', 6),
  };
  const mtu = values.get('FLANNEL_MTU');
  if (mtu !== undefined) {
    if (!/^\d+$/.test(mtu) || Number(mtu) < 68 || Number(mtu) > 65535) throw bad('FLANNEL_MTU', 'is not an MTU (68-65535)');
    env.mtu = Number(mtu);
  }
  const ipMasq = values.get('FLANNEL_IPMASQ');
  // Only the exact word "true" counts, as in the reference: anything else means false.
  if (ipMasq !== undefined) env.ipMasq = ipMasq === 'true';
  const ipv6Masq = values.get('FLANNEL_IPV6_MASQ');
  env.ipv6Masq = ipv6Masq !== undefined ? ipv6Masq === 'true' : env.ipMasq;

  const missing: string[] = [];
  if (env.networks!.length === 0 && env.ipv6Networks!.length === 0) missing.push('FLANNEL_NETWORK', 'FLANNEL_IPV6_NETWORK');
  if (env.subnet === undefined && env.ipv6Subnet === undefined) missing.push('FLANNEL_SUBNET', 'FLANNEL_IPV6_SUBNET');
  if (env.mtu === undefined) missing.push('FLANNEL_MTU');
  if (env.ipMasq === undefined) missing.push('FLANNEL_IPMASQ');
  if (missing.length > 0) throw new CniError(ErrorCode.InvalidConfig, `${file} is missing ${missing.join(', ')}`);
  return env as SubnetEnv;
}

function unquote(v: string): string {
  const q = v[0];
  if (v.length >= 2 && (q === '"' || q === "'") && v.endsWith(q)) return v.slice(1, -1);
  return v;
}
