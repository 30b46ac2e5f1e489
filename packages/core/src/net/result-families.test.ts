import { describe, expect, it } from 'vitest';
import { resultFamilies } from './result-families.ts';

describe('resultFamilies', () => {
  it('lists each family of the addresses once; undefined without addresses', () => {
    const ips = [{ address: '10.0.0.2/24' }, { address: 'fd00::2/64' }, { address: '10.0.1.2/24' }];
    expect(resultFamilies({ cniVersion: '1.1.0', ips })).toEqual([4, 6]);
    expect(resultFamilies({ cniVersion: '1.1.0' })).toBeUndefined();
    expect(resultFamilies(undefined)).toBeUndefined();
  });
});
