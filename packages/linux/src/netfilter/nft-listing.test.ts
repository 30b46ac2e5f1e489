import { describe, expect, it } from 'vitest';
import { parseNftListing } from './nft-listing.ts';

/** `nft -j list table inet t` as nft 1.0.6 prints it: two verdict maps, two chains, two rules. */
const TABLE_JSON = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'inet', name: 't', handle: 1 } },
    {
      map: {
        family: 'inet', name: 'hostports', table: 't', type: ['nf_proto', 'inet_proto', 'inet_service'], handle: 3, map: 'verdict',
        elem: [[{ concat: ['ipv4', 'tcp', 8080] }, { jump: { target: 'dn-abc' } }]],
      },
    },
    { map: { family: 'inet', name: 'masq4', table: 't', type: 'ipv4_addr', handle: 4, map: 'verdict', elem: [['10.99.0.2', { goto: { target: 'sn-abc' } }]] } },
    { chain: { family: 'inet', table: 't', name: 'dn-abc', handle: 1 } },
    { chain: { family: 'inet', table: 't', name: 'sn-abc', handle: 2 } },
    {
      rule: {
        family: 'inet', table: 't', chain: 'dn-abc', handle: 5, comment: 'net=n1',
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } },
          { dnat: { family: 'ip', addr: '10.99.0.2', port: 80 } },
        ],
      },
    },
    { rule: { family: 'inet', table: 't', chain: 'sn-abc', handle: 6, expr: [{ masquerade: null }] } },
  ],
});

describe('parseNftListing', () => {
  it('reads chains, rules with handle and comment, and verdict maps with key text and target', () => {
    const listing = parseNftListing(TABLE_JSON);
    expect(listing.chains).toEqual(['dn-abc', 'sn-abc']);
    expect(listing.rules).toEqual([
      {
        chain: 'dn-abc',
        handle: 5,
        comment: 'net=n1',
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } },
          { dnat: { family: 'ip', addr: '10.99.0.2', port: 80 } },
        ],
      },
      { chain: 'sn-abc', handle: 6, expr: [{ masquerade: null }] },
    ]);
    expect([...listing.maps]).toEqual([
      ['hostports', [{ key: 'ipv4 . tcp . 8080', target: 'dn-abc' }]],
      ['masq4', [{ key: '10.99.0.2', target: 'sn-abc' }]],
    ]);
  });

  it('skips what it does not know and keeps the rest', () => {
    const listing = parseNftListing(
      JSON.stringify({
        nftables: [
          null,
          'text',
          { chain: { handle: 1 } },
          { rule: { handle: 2, expr: [] } },
          { rule: { chain: 'c', handle: 'x', comment: 7 } },
          { map: { name: 'm', elem: ['no-verdict', ['10.0.0.1', 'accept']] } },
          { set: { name: 's', elem: ['10.0.0.2'] } },
        ],
      }),
    );
    expect(listing).toEqual({ chains: [], rules: [{ chain: 'c', expr: [] }], maps: new Map([['m', [{ key: '10.0.0.1' }]]]) });
    expect(parseNftListing('{"nftables": {}}')).toEqual({ chains: [], rules: [], maps: new Map() });
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseNftListing('Error: No such file or directory')).toThrow(SyntaxError);
  });
});
