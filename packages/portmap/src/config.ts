import { capabilityArg, invalidConfig, type NetConf } from '@cni-ts/core';
import { parsePortMappings, type PortMapping } from './mappings.ts';

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

function bool(conf: NetConf, key: string, dflt: boolean): boolean {
  const v = conf[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw invalidConfig(`"${key}" must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

/** iptables syntax when the first token is an option (`-s`, `! -d`), nft syntax otherwise. */
const isIptablesSyntax = (tokens: string[]): boolean => /^[-!]/.test(tokens[0] ?? '');

function conditions(conf: NetConf, key: string): string[] {
  const v = conf[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) throw invalidConfig(`"${key}" must be a list of strings`);
  // Tokens land in an iptables-restore or nft script: a line break, quote, ';' or '#' would end
  // the rule early or start another command.
  const bad = v.find((t) => /[\n\r";#]/.test(t));
  if (bad !== undefined) throw invalidConfig(`"${key}" contains a token with a line break, quote, ';' or '#': ${JSON.stringify(bad)}`);
  return v;
}

export function parseConfig(conf: NetConf): PortmapConfig {
  const snat = bool(conf, 'snat', true);
  const masqAll = bool(conf, 'masqAll', false);

  const rawBit = conf.markMasqBit;
  const rawChain = conf.externalSetMarkChain;
  if (rawBit !== undefined && rawBit !== null && rawChain !== undefined && rawChain !== null) {
    throw invalidConfig('"externalSetMarkChain" and "markMasqBit" cannot both be set');
  }
  let markMasqBit = DEFAULT_MARK_BIT;
  if (rawBit !== undefined && rawBit !== null) {
    if (typeof rawBit !== 'number' || !Number.isInteger(rawBit) || rawBit < 0 || rawBit > 31) {
      throw invalidConfig(`"markMasqBit" must be an integer between 0 and 31, got ${JSON.stringify(rawBit)}`);
    }
    markMasqBit = rawBit;
  }
  let externalSetMarkChain: string | undefined;
  if (rawChain !== undefined && rawChain !== null) {
    if (typeof rawChain !== 'string' || !/^[A-Za-z0-9_.-]{1,28}$/.test(rawChain)) {
      throw invalidConfig(`"externalSetMarkChain" must be an iptables chain name (1-28 of A-Z a-z 0-9 _ . -), got ${JSON.stringify(rawChain)}`);
    }
    externalSetMarkChain = rawChain;
  }

  const conditionsV4 = conditions(conf, 'conditionsV4');
  const conditionsV6 = conditions(conf, 'conditionsV6');
  const syntaxes = new Set(
    [conditionsV4, conditionsV6].filter((c) => c.length > 0).map((c) => (isIptablesSyntax(c) ? 'iptables' : 'nftables') as BackendName),
  );
  if (syntaxes.size > 1) throw invalidConfig('"conditionsV4" and "conditionsV6" must use the same syntax (both iptables or both nft)');
  const conditionBackend = [...syntaxes][0];

  let backend: BackendName | undefined;
  const rawBackend = conf.backend;
  if (rawBackend !== undefined && rawBackend !== null) {
    if (rawBackend !== 'iptables' && rawBackend !== 'nftables') {
      throw invalidConfig(`"backend" must be "iptables" or "nftables", got ${JSON.stringify(rawBackend)}`);
    }
    backend = rawBackend;
    if (conditionBackend && conditionBackend !== backend) {
      throw invalidConfig(`"conditionsV4"/"conditionsV6" use ${conditionBackend} syntax but "backend" is "${backend}"`);
    }
  } else {
    // Conditions written for one tool can only mean that backend (as the reference's docs promise).
    backend = conditionBackend ?? (externalSetMarkChain !== undefined ? 'iptables' : undefined);
  }
  if (externalSetMarkChain !== undefined && backend === 'nftables') {
    throw invalidConfig('"externalSetMarkChain" is an iptables chain: it cannot be used with nftables ("backend" or nft-style conditions)');
  }

  const runtimeConfig = conf.runtimeConfig;
  return {
    network: conf.name,
    snat,
    masqAll,
    markMasqBit,
    ...(externalSetMarkChain !== undefined && { externalSetMarkChain }),
    conditionsV4,
    conditionsV6,
    ...(backend !== undefined && { backend }),
    mappings: parsePortMappings(capabilityArg(runtimeConfig, 'portMappings')),
  };
}
