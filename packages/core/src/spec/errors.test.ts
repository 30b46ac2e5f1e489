import { describe, expect, it } from 'vitest';
import { CniError, ErrorCode, invalidConfig } from './errors.ts';

describe('CniError', () => {
  it('has the spec codes', () => {
    expect(ErrorCode).toEqual({
      IncompatibleVersion: 1, UnsupportedField: 2, UnknownContainer: 3, InvalidEnvironment: 4, IoFailure: 5,
      DecodeFailure: 6, InvalidConfig: 7, InvalidNetns: 8, TryAgainLater: 11, PluginNotAvailable: 50,
      LimitedConnectivity: 51, Internal: 999,
    });
  });

  it('prints code, msg and details, with cniVersion when given', () => {
    expect(new CniError(7, 'bad', 'why').toJSON('1.0.0')).toEqual({ cniVersion: '1.0.0', code: 7, msg: 'bad', details: 'why' });
    expect(new CniError(5, 'io').toJSON()).toEqual({ code: 5, msg: 'io' });
    expect(JSON.stringify(new CniError(5, 'io'))).toBe('{"code":5,"msg":"io"}');
  });

  it('wraps anything thrown: CniError as is, others as 999', () => {
    const e = new CniError(3, 'gone');
    expect(CniError.from(e)).toBe(e);
    expect(CniError.from(new RangeError('r'))).toMatchObject({ code: 999, message: 'r' });
    expect(CniError.from(42)).toMatchObject({ code: 999, message: '42' });
  });

  it('invalidConfig is code 7', () => {
    expect(invalidConfig('x')).toMatchObject({ code: 7, message: 'x', name: 'CniError' });
  });
});
