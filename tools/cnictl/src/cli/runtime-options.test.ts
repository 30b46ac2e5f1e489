import { describe, expect, it } from 'vitest';
import { parseArgs } from './options.ts';
import { capabilityArgs, defaultContainerId, netnsPath, parsePairs, validAttachments } from './runtime-options.ts';

describe('runtime options', () => {
  it("derives cnitool's container id from the netns path", () => {
    // cnitool: "cnitool-" + hex of sha512(path)[:10]; sha512("/run/netns/pod1") starts with these
    // 20 hex digits (computed with sha512sum)
    expect(defaultContainerId('/run/netns/pod1')).toBe('cnitool-eb69d96616c204ff963c');
    expect(defaultContainerId('/run/netns/pod1')).not.toBe(defaultContainerId('/run/netns/pod2'));
  });

  it('takes a netns name or path', () => {
    expect(netnsPath('pod1')).toBe('/run/netns/pod1');
    expect(netnsPath('/proc/42/ns/net')).toBe('/proc/42/ns/net');
    // made absolute and clean, as Go's filepath.Abs does, before it is hashed
    expect(netnsPath('/run/netns//pod1/')).toBe('/run/netns/pod1');
    expect(netnsPath('./x/../pod1')).toBe(`${process.cwd()}/pod1`);
  });

  it('parses --args pairs and refuses a pair without one "="', () => {
    expect(parsePairs('IgnoreUnknown=1;K8S_POD_NAME=web;')).toEqual([['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']]);
    expect(() => parsePairs('A=1;B')).toThrow('--args: "B" is not KEY=VALUE');
  });

  it('checks the JSON options, naming the option', () => {
    expect(() => capabilityArgs(parseArgs(['--cap-args', '[1]'], ['cap-args']), {})).toThrow(/--cap-args must be a JSON object/);
    expect(() => capabilityArgs(parseArgs(['--cap-args={'], ['cap-args']), {})).toThrow(/--cap-args is not valid JSON/);
    expect(capabilityArgs(parseArgs([], ['cap-args']), { CAP_ARGS: '{"mac":"x"}' })).toEqual({ mac: 'x' });
    expect(() => validAttachments(parseArgs(['--valid-attachments', '[{"containerID":1}]'], ['valid-attachments']))).toThrow(/must be a JSON list/);
  });

  it('refuses unknown options and a missing value', () => {
    expect(() => parseArgs(['--conf-dri', 'x'], ['conf-dir'])).toThrow('unknown option --conf-dri');
    expect(() => parseArgs(['--conf-dir'], ['conf-dir'])).toThrow('option --conf-dir needs a value');
  });
});
