import { parseCidr, parseIP } from '../net/ip.ts';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { Interface, IPConfig, Result, Route } from '../spec/types.ts';
import { assertSupported, atLeast, CURRENT_VERSION, isSupported } from './versions.ts';

const isV6 = (cidrOrIp: string): boolean => cidrOrIp.includes(':');

interface Legacy020IP {
  ip: string;
  gateway?: string;
  routes?: Route[];
}

/**
 * Render a 1.1.0 result in the shape of `version`. Throws when the spec cannot express it.
 * 1.0.0 shares the 1.1.0 shape; 0.3.x/0.4.0 know only the fields they defined (the 1.1.0 additions
 * such as interface mtu or route table are dropped, as the Go types do) and carry `ips[].version`.
 */
export function convertResult(result: Result, version: string): Record<string, unknown> {
  assertSupported(version);
  const { cniVersion: _hub, ...body } = result;
  if (atLeast(version, '1.0.0')) return { cniVersion: version, ...body };
  if (atLeast(version, '0.3.0')) return to04x(result, version);
  return to020(result, version);
}

function to04x(result: Result, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { cniVersion: version };
  if (result.interfaces) {
    out.interfaces = result.interfaces.map((i: Interface) => ({
      name: i.name,
      ...(i.mac !== undefined && { mac: i.mac }),
      ...(i.sandbox !== undefined && { sandbox: i.sandbox }),
    }));
  }
  if (result.ips) {
    out.ips = result.ips.map((ip) => ({
      version: isV6(ip.address) ? '6' : '4',
      ...(ip.interface !== undefined && { interface: ip.interface }),
      address: ip.address,
      ...(ip.gateway !== undefined && { gateway: ip.gateway }),
    }));
  }
  if (result.routes) out.routes = result.routes.map(legacyRoute);
  if (result.dns) out.dns = result.dns;
  return out;
}

const legacyRoute = (r: Route): Route => ({ dst: r.dst, ...(r.gw !== undefined && { gw: r.gw }) });

/** 0.1.0/0.2.0 hold one address per family: the first v4 and first v6 are kept, routes go with their family. */
function to020(result: Result, version: string): Record<string, unknown> {
  const ips = result.ips ?? [];
  const v4 = ips.find((ip) => !isV6(ip.address));
  const v6 = ips.find((ip) => isV6(ip.address));
  if (!v4 && !v6) {
    throw new CniError(ErrorCode.IncompatibleVersion, `cannot convert result to cniVersion ${version}: no valid IP addresses (0.2.0 cannot express an L2-only result)`);
  }
  const legacy = (ip: IPConfig, v6Family: boolean): Legacy020IP => {
    const routes = (result.routes ?? []).filter((r) => isV6(r.dst) === v6Family).map(legacyRoute);
    return { ip: ip.address, ...(ip.gateway !== undefined && { gateway: ip.gateway }), ...(routes.length > 0 && { routes }) };
  };
  const out: Record<string, unknown> = { cniVersion: version };
  if (v4) out.ip4 = legacy(v4, false);
  if (v6) out.ip6 = legacy(v6, true);
  if (result.dns && Object.keys(result.dns).length > 0) out.dns = result.dns;
  return out;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CniError(ErrorCode.DecodeFailure, `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function listOf<T>(value: unknown, what: string, check: (item: Record<string, unknown>, what: string) => T): T[] {
  if (!Array.isArray(value)) throw new CniError(ErrorCode.DecodeFailure, `${what} must be a list`);
  return value.map((item, n) => check(asObject(item, `${what}[${n}]`), `${what}[${n}]`));
}

function requireString(obj: Record<string, unknown>, key: string, what: string): void {
  if (typeof obj[key] !== 'string') throw new CniError(ErrorCode.DecodeFailure, `${what}.${key} must be a string`);
}

/** `obj[key]` must be text that `parse` reads (an address or a CIDR); `optional` allows it absent. */
function requireAddress(obj: Record<string, unknown>, key: string, what: string, parse: (t: string) => unknown, kind: string, optional = false): void {
  const v = obj[key];
  if (optional && (v === undefined || v === '')) return;
  if (typeof v !== 'string' || !parse(v)) throw new CniError(ErrorCode.DecodeFailure, `${what}.${key}: ${JSON.stringify(v) ?? 'nothing'} is not ${kind}`);
}

const CIDR = 'an address with a prefix length (CIDR)';
const ADDRESS = 'an IP address';

/**
 * Read a result written at `version` (a prevResult, or a delegate's output) into the 1.1.0 shape.
 * The 0.x `version` field of each IP is dropped; 0.1.0/0.2.0 ip4/ip6 become ips + routes.
 * Fields this code does not know are kept, so a chained result passes through unchanged.
 */
export function parseResult(raw: unknown, version: string): Result {
  const obj = asObject(raw, 'result');
  assertSupported(version);
  if (obj.cniVersion !== undefined && obj.cniVersion !== '' && (typeof obj.cniVersion !== 'string' || !isSupported(obj.cniVersion))) {
    throw new CniError(ErrorCode.DecodeFailure, `result.cniVersion: ${JSON.stringify(obj.cniVersion)} is not a CNI version this plugin reads`);
  }
  if (!atLeast(version, '0.3.0')) return from020(obj);
  const result: Result = { cniVersion: CURRENT_VERSION };
  if (obj.interfaces !== undefined) {
    result.interfaces = listOf(obj.interfaces, 'result.interfaces', (itf, what) => {
      requireString(itf, 'name', what);
      return itf as unknown as Interface;
    });
  }
  if (obj.ips !== undefined) {
    result.ips = listOf(obj.ips, 'result.ips', (entry, what) => {
      const { version: _family, ...ip } = entry;
      requireAddress(ip, 'address', what, parseCidr, CIDR);
      requireAddress(ip, 'gateway', what, parseIP, ADDRESS, true);
      return ip as unknown as IPConfig;
    });
  }
  if (obj.routes !== undefined) {
    result.routes = listOf(obj.routes, 'result.routes', (route, what) => {
      requireAddress(route, 'dst', what, parseCidr, CIDR);
      requireAddress(route, 'gw', what, parseIP, ADDRESS, true);
      return route as unknown as Route;
    });
  }
  if (obj.dns !== undefined) result.dns = asObject(obj.dns, 'result.dns');
  return result;
}

function from020(obj: Record<string, unknown>): Result {
  const result: Result = { cniVersion: CURRENT_VERSION, ips: [], routes: [] };
  for (const key of ['ip4', 'ip6'] as const) {
    if (obj[key] === undefined) continue;
    const legacy = asObject(obj[key], `result.${key}`);
    requireAddress(legacy, 'ip', `result.${key}`, parseCidr, CIDR);
    requireAddress(legacy, 'gateway', `result.${key}`, parseIP, ADDRESS, true);
    result.ips!.push({ address: legacy.ip as string, ...(typeof legacy.gateway === 'string' && { gateway: legacy.gateway }) });
    if (legacy.routes !== undefined) {
      result.routes!.push(...listOf(legacy.routes, `result.${key}.routes`, (route, what) => {
        requireAddress(route, 'dst', what, parseCidr, CIDR);
        requireAddress(route, 'gw', what, parseIP, ADDRESS, true);
        return legacyRoute(route as unknown as Route);
      }));
    }
  }
  if (obj.dns !== undefined) result.dns = asObject(obj.dns, 'result.dns');
  return result;
}

/**
 * Read a result a plugin printed: its own `cniVersion` says its shape; a result without one is read
 * at the config's version (libcni does the same, for plugins that omit it).
 */
export function parsePrintedResult(raw: unknown, configVersion: string, who: string): Result {
  const obj = asObject(raw, `result of ${who}`);
  const version = obj.cniVersion === undefined || obj.cniVersion === '' ? configVersion : obj.cniVersion;
  if (typeof version !== 'string' || !isSupported(version)) {
    throw new CniError(ErrorCode.IncompatibleVersion, `${who} printed a result with unsupported cniVersion ${JSON.stringify(version)}`);
  }
  return parseResult(obj, version);
}
