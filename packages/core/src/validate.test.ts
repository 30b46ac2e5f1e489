import { describe, expect, it } from 'vitest';
import { ErrorCode } from './spec/errors.ts';
import { MAX_CONTAINER_ID_LENGTH, validateContainerId, validateIfName, validateNetworkName } from './validate.ts';

describe('validateNetworkName', () => {
  it('returns a safe name', () => {
    expect(validateNetworkName('my-net_1.2')).toBe('my-net_1.2');
  });

  it('refuses names that could leave a state directory or are not names', () => {
    for (const bad of ['..', '.', '../x', 'a/b', '/abs', ' a', 'a b', '-a', '_a', 'a\nb']) {
      expect(() => validateNetworkName(bad)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidConfig, message: expect.stringContaining('invalid network name') }));
    }
  });

  it('refuses a missing name with code 7', () => {
    for (const missing of [undefined, '', 3, null]) {
      expect(() => validateNetworkName(missing)).toThrowError('missing network name: "name" must be set');
    }
  });
});

describe('validateContainerId', () => {
  it('accepts the ids runtimes generate', () => {
    expect(() => validateContainerId('0123456789abcdef'.repeat(4))).not.toThrow();
    expect(() => validateContainerId('podman-ctr_1.a')).not.toThrow();
  });

  it('refuses anything else with code 4', () => {
    for (const bad of ['', '.', '-x', 'a/b', 'a;b', 'a b']) {
      expect(() => validateContainerId(bad)).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidEnvironment }));
    }
  });

  it('refuses an id too long to be part of a state file name, without echoing it', () => {
    expect(MAX_CONTAINER_ID_LENGTH).toBe(220);
    expect(() => validateContainerId('a'.repeat(MAX_CONTAINER_ID_LENGTH))).not.toThrow();
    expect(() => validateContainerId('a'.repeat(10_000))).toThrowError(
      expect.objectContaining({ code: ErrorCode.InvalidEnvironment, message: 'invalid CNI_CONTAINERID: 10000 characters, at most 220 (it is part of state file names)' }),
    );
  });
});

describe('validateIfName', () => {
  it('accepts up to 15 characters', () => {
    expect(() => validateIfName('eth0')).not.toThrow();
    expect(() => validateIfName('x'.repeat(15))).not.toThrow();
  });

  it('names why a name is refused', () => {
    expect(() => validateIfName('')).toThrowError('invalid CNI_IFNAME "": is empty');
    expect(() => validateIfName('x'.repeat(16))).toThrowError(/is longer than 15 characters/);
    expect(() => validateIfName('..')).toThrowError(/is "." or ".."/);
    for (const bad of ['e;flush', 'eth#0', 'e"0', "e'0", 'e\\0', 'e{0}', 'e$0', 'e\x010']) {
      expect(() => validateIfName(bad)).toThrowError(/treats specially/);
    }
    expect(() => validateIfName('eth0:1')).toThrowError(/contains "\/", ":" or whitespace/);
  });
});
