import { readFileSync } from 'node:fs';
import { invalidConfig, type DNS } from '@cni-ts/core';

/** Parse resolv.conf text into the result's `dns` (nameserver, domain, search, options). */
function parseResolvConf(text: string): DNS {
  const dns: DNS = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [key, ...values] = fields;
    if (!key || key.startsWith('#') || key.startsWith(';')) continue;
    if (key === 'nameserver' && values[0]) (dns.nameservers ??= []).push(values[0]);
    else if (key === 'domain' && values[0]) dns.domain = values[0];
    else if (key === 'search') dns.search = values;
    else if (key === 'options') (dns.options ??= []).push(...values);
  }
  return dns;
}

export function readResolvConf(path: string, field: string): DNS {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalidConfig(`${field}: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseResolvConf(text);
}
