import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../spec/errors.ts';
import { assertSupported, atLeast, compareVersions, isSupported, SUPPORTED_VERSIONS } from './versions.ts';

describe('versions', () => {
  it('supports 0.1.0 through 1.1.0', () => {
    expect(SUPPORTED_VERSIONS).toEqual(['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']);
    expect(isSupported('0.3.1')).toBe(true);
    expect(isSupported('0.5.0')).toBe(false);
  });

  it('compares semantically, not as strings', () => {
    expect(compareVersions('0.10.0', '0.9.0')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('0.3.0', '0.3.1')).toBeLessThan(0);
    expect(atLeast('0.4.0', '0.4.0')).toBe(true);
    expect(atLeast('0.3.1', '0.4.0')).toBe(false);
  });

  it('refuses a malformed version with code 1', () => {
    expect(() => compareVersions('1.0', '1.0.0')).toThrowError('invalid cniVersion "1.0"');
    expect(() => compareVersions('x', '1.0.0')).toThrowError(expect.objectContaining({ code: ErrorCode.IncompatibleVersion }));
  });

  it('assertSupported names the version and the supported list', () => {
    expect(() => assertSupported('1.1.0')).not.toThrow();
    expect(() => assertSupported('2.0.0')).toThrowError(/cniVersion "2.0.0" is not supported; this plugin supports \["0.1.0",.*"1.1.0"\]/);
  });
});
