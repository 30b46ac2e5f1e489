import { describe, expect, it } from 'vitest';
import { allowedRuntimeConfig, buildPluginConfig } from './inject.ts';

describe('allowedRuntimeConfig', () => {
  const caps = { portMappings: [{ hostPort: 80, containerPort: 8080 }], bandwidth: { ingressRate: 1 }, mac: 'aa:bb:cc:dd:ee:ff' };

  it('passes only the capability args the plugin enables', () => {
    const plugin = { type: 'portmap', capabilities: { portMappings: true, bandwidth: false, ips: true } };
    expect(allowedRuntimeConfig(plugin, caps)).toEqual({ portMappings: caps.portMappings });
  });

  it('passes nothing to a plugin without capabilities', () => {
    expect(allowedRuntimeConfig({ type: 'bridge' }, caps)).toEqual({});
  });
});

describe('buildPluginConfig', () => {
  const plugin = { type: 'portmap', name: 'stale', cniVersion: '0.3.1', snat: true, capabilities: { portMappings: true } };

  it('injects the list name and version, keeps unknown keys, strips capabilities', () => {
    const conf = buildPluginConfig(plugin, { name: 'net', cniVersion: '1.0.0', capabilityArgs: {} });
    expect(conf).toEqual({ type: 'portmap', name: 'net', cniVersion: '1.0.0', snat: true });
  });

  it('adds prevResult and the allowed runtimeConfig', () => {
    const prevResult = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] };
    const portMappings = [{ hostPort: 1, containerPort: 2, protocol: 'tcp' }];
    const conf = buildPluginConfig(plugin, { name: 'net', cniVersion: '1.0.0', prevResult, capabilityArgs: { portMappings, mac: 'x' } });
    expect(conf.prevResult).toEqual(prevResult);
    expect(conf.runtimeConfig).toEqual({ portMappings });
  });

  it('leaves a runtimeConfig written in the list alone when no capability arg applies', () => {
    const conf = buildPluginConfig({ type: 'x', runtimeConfig: { a: 1 } }, { name: 'n', cniVersion: '1.0.0', capabilityArgs: { mac: 'x' } });
    expect(conf.runtimeConfig).toEqual({ a: 1 });
  });
});
