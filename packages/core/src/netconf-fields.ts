import { anyField, listField, objectField, stringField, type Fields } from './fields.ts';
import { SAFE_NAME } from './validate.ts';
import { SUPPORTED_VERSIONS } from './version/versions.ts';

/** A plugin's executable name, as `type` and `ipam.type` give it: a file in CNI_PATH. */
export const PLUGIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.\-]*$/;

/** How many entries a `dns` list may hold: far beyond resolv.conf's own limits (3 nameservers). */
export const MAX_DNS_ENTRIES = 64;

const dnsList = (doc: string) => listField(stringField('one entry'), MAX_DNS_ENTRIES, doc);

/** The spec's `dns` object (a config's, or a result's). */
export const DNS_FIELDS: Fields = {
  nameservers: dnsList('Name server addresses, in order of preference.'),
  domain: stringField('The local domain used for short hostname lookups.'),
  search: dnsList('Search domains for short hostname lookups, in order.'),
  options: dnsList('Resolver options (resolv.conf "options").'),
};

/**
 * The keys every plugin's config has (SPEC: network configuration), and those a runtime adds
 * (runtimeConfig, args, prevResult, the GC attachments). A plugin's own keys come on top.
 */
export const NETCONF_FIELDS: Fields = {
  $schema: stringField('The JSON Schema this file follows, for editors; plugins ignore it.'),
  cniVersion: stringField('The CNI specification version this configuration is written for.', { enum: SUPPORTED_VERSIONS }),
  name: stringField('The network name, unique on the node.', { pattern: SAFE_NAME, patternName: 'a network name (letters, digits, "_", ".", "-"; a letter or digit first)' }),
  type: stringField('The plugin executable to run, found in CNI_PATH.', { pattern: PLUGIN_NAME, patternName: 'a plugin executable name' }),
  capabilities: objectField({}, 'Capabilities this plugin takes from the runtime (e.g. "portMappings": true).', { open: true }),
  runtimeConfig: objectField({}, 'Capability arguments, added by the runtime.', { open: true }),
  args: objectField({}, 'Extra arguments, added by the runtime.', { open: true }),
  prevResult: anyField('The previous plugin\'s result, added by the runtime in a chain.'),
  'cni.dev/valid-attachments': anyField('The attachments GC keeps, added by the runtime.'),
  'cni.dev/attachments': anyField('The pre-release name of cni.dev/valid-attachments.'),
  dns: objectField(DNS_FIELDS, 'DNS settings for the container.'),
};
