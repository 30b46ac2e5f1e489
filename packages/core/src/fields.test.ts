import { describe, expect, it } from 'vitest';
import { booleanField, closest, integerField, listField, objectField, readFields, stringField, unknownKeys } from './fields.ts';

const FIELDS = {
  isGateway: booleanField('g'),
  mtu: integerField(0, 65535, 'm'),
  ranges: listField(listField(objectField({ subnet: stringField('s') }, 'r', { anyCase: true, required: ['subnet'] }), 4, 'set', 1), 2, 'sets'),
  ipam: objectField({ type: stringField('t') }, 'i', { open: true }),
};

describe('readFields', () => {
  it('reads present fields, treats null as absent, and names the path of a wrong value', () => {
    expect(readFields({ isGateway: true, mtu: null }, FIELDS)).toEqual({ isGateway: true });
    expect(() => readFields({ ranges: [[{ Subnet: 1 }]] }, FIELDS, 'ipam')).toThrowError('ipam.ranges[0][0].subnet: must be a string, not 1');
    expect(() => readFields({ ranges: [[{}]] }, FIELDS)).toThrowError('ranges[0][0].subnet: missing');
    expect(() => readFields({ ranges: [[], []] }, FIELDS)).toThrowError('ranges[0]: must have at least 1 entry');
    expect(() => readFields({ ranges: [[{ subnet: 'a' }]].concat([[{ subnet: 'b' }]], [[{ subnet: 'c' }]]) }, FIELDS)).toThrowError('ranges: 3 entries, at most 2');
  });
});

describe('unknownKeys', () => {
  it('finds keys no field declares, in closed objects and lists, with the nearest known key', () => {
    const conf = { isGatway: true, mtu: 1, ranges: [[{ subnet: 'x', gatway: 'y', SUBNET: 'z' }]], ipam: { anything: 1 } };
    expect(unknownKeys(conf, FIELDS)).toEqual([{ path: 'isGatway', suggestion: 'isGateway' }, { path: 'ranges[0][0].gatway' }]);
  });

  it('suggests only a close spelling', () => {
    expect(closest('isgateway', ['isGateway'])).toBe('isGateway');
    expect(closest('mut', ['mtu'])).toBe('mtu');
    expect(closest('hairpin', ['isGateway', 'mtu'])).toBeUndefined();
  });
});
