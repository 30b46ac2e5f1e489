import { booleanField, capabilityArg, integerField, invalidConfig, listField, NETCONF_FIELDS, objectField, readFields, stringField, type ConfigEntry, type Fields, type NetConf } from '@cni-ts/core';
import { checkConditions, isIptablesSyntax } from './conditions.ts';
import { parsePortMappings, PORT_MAPPINGS, type PortMapping } from './mappings.ts';

export type BackendName = 'iptables' | 'nftables';

/** portmap's config, parsed and checked once before any side effect. */
export interface PortmapConfig {
  network: string;
  /** Masquerade hairpin and localhost connections (default true). */
  snat: boolean;
  /** Masquerade hairpin traffic from any source, and drop the localhost rule. */
  masqAll: boolean;
  /** The packet mark bit that asks for masquerade (default 13). */
  markMasqBit: number;
  /** An iptables chain of the operator's that sets the masquerade mark, instead of ours. */
  externalSetMarkChain?: string;
  /** Extra match conditions for the DNAT entry rules, in the backend's own syntax. */
  conditionsV4: string[];
  conditionsV6: string[];
  /** Chosen by the config (or implied by nft-style conditions); undefined = auto-detect. */
  backend?: BackendName;
  mappings: PortMapping[];
}

const DEFAULT_MARK_BIT = 13;
/** A limit on size: absurd inputs are refused up front (code 7). */
export const MAX_CONDITIONS = 64;

/**
 * An iptables chain name as iptables itself accepts one (xtables' parse_chain): under 29
 * characters, not starting with "-" or "!", no whitespace; here also printable ASCII only and no
 * quote, backslash, "#" or ";", so that it stays one word of a restore script.
 */
const IPTABLES_CHAIN = /^(?![-!])(?:(?!["'\\#;])[!-~]){1,28}$/;
/** Built-in verdicts and target extensions: iptables refuses a chain named like one. */
const IPTABLES_TARGETS = [
  'ACCEPT', 'DROP', 'QUEUE', 'RETURN', 'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNMARK', 'CONNSECMARK', 'CT', 'DNAT', 'DNPT', 'DSCP',
  'ECN', 'HL', 'HMARK', 'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'NETMAP', 'NFLOG', 'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT',
  'REJECT', 'SECMARK', 'SET', 'SNAT', 'SNPT', 'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE', 'TTL', 'ULOG',
] as const;
/** One condition token: printable ASCII and spaces, no quote, backslash, "#", ";", "$" or backtick. */
const CONDITION_TOKEN = /^(?:(?!["'\\#;$`])[ -~])+$/;

const conditionList = (family: string) =>
  listField(stringField('One token.', { pattern: CONDITION_TOKEN, patternName: 'a match token without control characters, quotes, "\\", "#", ";", "$" or "`"' }), MAX_CONDITIONS, `Extra match conditions for the ${family} DNAT rules, in iptables (["-s", "10.0.0.0/8"]) or nft (["ip", "saddr", "10.0.0.0/8"]) syntax.`);
/** portmap's own keys: what the parser reads and schemas/portmap.schema.json says. */
export const PORTMAP_FIELDS = {
  snat: booleanField('Masquerade hairpin and localhost connections (default true).'),
  masqAll: booleanField('Masquerade hairpin traffic from any source, not only the pod subnet.'),
  markMasqBit: integerField(0, 31, 'The packet mark bit that asks for masquerade (default 13).'),
  externalSetMarkChain: stringField('An iptables chain of yours that sets the masquerade mark, instead of portmap\'s.', {
    pattern: IPTABLES_CHAIN,
    patternName: 'an iptables chain name (1-28 printable characters, not starting with "-" or "!")',
    reserved: IPTABLES_TARGETS,
  }),
  conditionsV4: conditionList('IPv4'),
  conditionsV6: conditionList('IPv6'),
  backend: stringField('The firewall to write to (default: iptables when usable, else nftables).', { enum: ['iptables', 'nftables'] }),
  runtimeConfig: objectField({ portMappings: PORT_MAPPINGS }, 'Capability arguments, added by the runtime.', { open: true, anyCase: true }),
} satisfies Fields;

export function parseConfig(conf: NetConf): PortmapConfig {
  const f = readFields(conf, { ...NETCONF_FIELDS, ...PORTMAP_FIELDS });
  if (f.markMasqBit !== undefined && f.externalSetMarkChain !== undefined) {
    throw invalidConfig('externalSetMarkChain and markMasqBit cannot both be set');
  }
  const externalSetMarkChain = f.externalSetMarkChain;
  const conditionsV4 = f.conditionsV4 ?? [];
  const conditionsV6 = f.conditionsV6 ?? [];
  checkConditions('conditionsV4', conditionsV4);
  checkConditions('conditionsV6', conditionsV6);
  const syntaxes = new Set(
    [conditionsV4, conditionsV6].filter((c) => c.length > 0).map((c) => (isIptablesSyntax(c) ? 'iptables' : 'nftables') as BackendName),
  );
  if (syntaxes.size > 1) throw invalidConfig('conditionsV4 and conditionsV6 must use the same syntax (both iptables or both nft)');
  const conditionBackend = [...syntaxes][0];

  let backend = f.backend as BackendName | undefined;
  if (backend !== undefined) {
    if (conditionBackend && conditionBackend !== backend) {
      throw invalidConfig(`conditionsV4/conditionsV6 use ${conditionBackend} syntax but backend is "${backend}"`);
    }
  } else {
    // Conditions written for one tool can only mean that backend (as the reference's docs promise).
    backend = conditionBackend ?? (externalSetMarkChain !== undefined ? 'iptables' : undefined);
  }
  if (externalSetMarkChain !== undefined && backend === 'nftables') {
    throw invalidConfig('externalSetMarkChain is an iptables chain: it cannot be used with nftables (backend or nft-style conditions)');
  }

  return {
    network: conf.name,
    snat: f.snat ?? true,
    masqAll: f.masqAll ?? false,
    markMasqBit: f.markMasqBit ?? DEFAULT_MARK_BIT,
    ...(externalSetMarkChain !== undefined && { externalSetMarkChain }),
    conditionsV4,
    conditionsV6,
    ...(backend !== undefined && { backend }),
    mappings: parsePortMappings(capabilityArg(conf.runtimeConfig, 'portMappings') as Array<Record<string, unknown>> | undefined),
  };
}

export const CONFIG_ENTRY: ConfigEntry = { fields: PORTMAP_FIELDS, parse: (conf) => void parseConfig(conf) };
