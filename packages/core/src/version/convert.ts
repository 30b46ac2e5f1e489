import { CniError, ErrorCode } from '../spec/errors.ts';
import type { IPConfig, Result, Route } from '../spec/types.ts';
import { assertSupported, compareVersions, CURRENT_VERSION } from './versions.ts';

const isV6 = (cidrOrIp: string): boolean => cidrOrIp.includes(':');

interface Legacy020IP {
  ip: string;
  gateway?: string;
  routes?: Route[];
}

/** Render a 1.1.0 result in the shape of `version`. Throws when the spec cannot express it. */
export function convertResult(result: Result, version: string): Record<string, unknown> {
  assertSupported(version);
  if (compareVersions(version, '1.0.0') >= 0) return { ...result, cniVersion: version };
  if (compareVersions(version, '0.3.0') >= 0) {
    return {
      ...result,
      cniVersion: version,
      ...(result.ips && { ips: result.ips.map((ip) => ({ ...ip, version: isV6(ip.address) ? '6' : '4' })) }),
    };
  }
  return to020(result, version);
}

function to020(result: Result, version: string): Record<string, unknown> {
  const ips = result.ips ?? [];
  const v4 = ips.find((ip) => !isV6(ip.address));
  const v6 = ips.find((ip) => isV6(ip.address));
  if (!v4 && !v6) {
    throw new CniError(ErrorCode.IncompatibleVersion, `cannot convert result to version ${version}: no valid IP addresses`);
  }
  const legacy = (ip: IPConfig, v6Family: boolean): Legacy020IP => {
    const routes = (result.routes ?? []).filter((r) => isV6(r.dst) === v6Family).map((r) => ({ dst: r.dst, ...(r.gw && { gw: r.gw }) }));
    return { ip: ip.address, ...(ip.gateway && { gateway: ip.gateway }), ...(routes.length > 0 && { routes }) };
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

/**
 * Read a result written at `version` (a prevResult, or a delegate's output) into the 1.1.0 shape.
 * The 0.x `version` field of each IP is dropped; 0.1.0/0.2.0 ip4/ip6 become ips + routes.
 */
export function parseResult(raw: unknown, version: string): Result {
  const obj = asObject(raw, 'result');
  assertSupported(version);
  if (compareVersions(version, '0.3.0') < 0) return from020(obj);
  const result: Result = { cniVersion: CURRENT_VERSION };
  if (obj.interfaces !== undefined) {
    if (!Array.isArray(obj.interfaces)) throw new CniError(ErrorCode.DecodeFailure, 'result.interfaces must be a list');
    result.interfaces = obj.interfaces.map((i, n) => {
      const itf = asObject(i, `result.interfaces[${n}]`);
      if (typeof itf.name !== 'string') throw new CniError(ErrorCode.DecodeFailure, `result.interfaces[${n}].name must be a string`);
      return itf as unknown as NonNullable<Result['interfaces']>[number];
    });
  }
  if (obj.ips !== undefined) {
    if (!Array.isArray(obj.ips)) throw new CniError(ErrorCode.DecodeFailure, 'result.ips must be a list');
    result.ips = obj.ips.map((i, n) => {
      const { version: _family, ...ip } = asObject(i, `result.ips[${n}]`);
      if (typeof ip.address !== 'string') throw new CniError(ErrorCode.DecodeFailure, `result.ips[${n}].address must be a string`);
      return ip as unknown as IPConfig;
    });
  }
  if (obj.routes !== undefined) {
    if (!Array.isArray(obj.routes)) throw new CniError(ErrorCode.DecodeFailure, 'result.routes must be a list');
    result.routes = obj.routes.map((r, n) => {
      const route = asObject(r, `result.routes[${n}]`);
      if (typeof route.dst !== 'string') throw new CniError(ErrorCode.DecodeFailure, `result.routes[${n}].dst must be a string`);
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
    if (typeof legacy.ip !== 'string') throw new CniError(ErrorCode.DecodeFailure, `result.${key}.ip must be a string`);
    result.ips!.push({ address: legacy.ip, ...(typeof legacy.gateway === 'string' && { gateway: legacy.gateway }) });
    if (Array.isArray(legacy.routes)) result.routes!.push(...(legacy.routes as Route[]));
  }
  if (obj.dns !== undefined) result.dns = asObject(obj.dns, 'result.dns');
  return result;
}
