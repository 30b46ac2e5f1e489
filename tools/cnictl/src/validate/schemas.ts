import { NETCONF_FIELDS, objectSchema, type JsonSchema } from '@cni-ts/core';
import { LIST_FIELDS } from './list-config.ts';
import { OUR_PLUGINS } from './plugins.ts';

/**
 * The JSON Schemas in schemas/, generated from the plugins' own field definitions (the ones their
 * parsers read): one per plugin and one for a conflist that applies them by `type` (and, for our
 * IPAM plugins, by `ipam.type`). `npm run schemas` writes them; a test keeps them equal.
 */
const DRAFT = 'http://json-schema.org/draft-07/schema#';

/** One plugin's config (an entry of a conflist, or a .conf file); an IPAM plugin's is its ipam object. */
function pluginSchema(type: string): JsonSchema {
  const entry = OUR_PLUGINS[type]!;
  if (entry.section === 'ipam') return objectSchema(entry.fields, { doc: `${type}'s settings: the "ipam" object of the plugin that delegates to it.`, anyCase: true });
  return objectSchema({ ...NETCONF_FIELDS, ...entry.fields }, { doc: `The ${type} plugin's configuration.` });
}

const refTo = (type: string): JsonSchema => ({ $ref: `#/definitions/${type}` });

/** A conflist plugin entry: the schema of its type when it is ours, any object with a type otherwise. */
function entrySchema(): JsonSchema {
  const types = Object.keys(OUR_PLUGINS);
  // Plugins that build their delegate's ipam themselves: their ipam is not the IPAM plugin's input.
  const rewriters = types.filter((t) => OUR_PLUGINS[t]!.rewritesIpam);
  const byType = types
    .filter((t) => OUR_PLUGINS[t]!.section !== 'ipam')
    .map((t) => ({ if: { properties: { type: { const: t } }, required: ['type'] }, then: refTo(t) }));
  // An IPAM plugin run as a list's own plugin: every config's keys, and its ipam object.
  const ipamAsPlugin = types
    .filter((t) => OUR_PLUGINS[t]!.section === 'ipam')
    .map((t) => {
      const top = objectSchema(NETCONF_FIELDS, { doc: `The ${t} plugin run on its own.` });
      return { if: { properties: { type: { const: t } }, required: ['type'] }, then: { ...top, properties: { ...(top.properties as JsonSchema), ipam: refTo(t) } } };
    });
  const byIpamType = types
    .filter((t) => OUR_PLUGINS[t]!.section === 'ipam')
    .map((t) => ({
      if: { properties: { type: { not: { enum: rewriters } }, ipam: { properties: { type: { const: t } }, required: ['type'] } }, required: ['ipam'] },
      then: { properties: { ipam: refTo(t) } },
    }));
  return { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1 } }, allOf: [...byType, ...ipamAsPlugin, ...byIpamType] };
}

function conflistSchema(): JsonSchema {
  const list = objectSchema(LIST_FIELDS, { doc: 'A CNI network configuration list (.conflist).', required: ['name'] });
  const properties = { ...(list.properties as JsonSchema), plugins: { description: 'The plugins, run in order on ADD.', type: 'array', minItems: 1, items: refTo('entry') } };
  const definitions = Object.fromEntries([...Object.keys(OUR_PLUGINS).map((t) => [t, pluginSchema(t)]), ['entry', entrySchema()]]);
  return { $schema: DRAFT, $id: 'conflist.schema.json', title: 'CNI network configuration list', ...list, properties, required: ['name', 'plugins'], definitions };
}

/** Every schema file, by name. */
export function generateSchemas(): Record<string, JsonSchema> {
  const files: Record<string, JsonSchema> = { 'conflist.schema.json': conflistSchema() };
  for (const type of Object.keys(OUR_PLUGINS)) files[`${type}.schema.json`] = { $schema: DRAFT, $id: `${type}.schema.json`, title: `cni-ts ${type}`, ...pluginSchema(type) };
  return files;
}

/** A schema file's text as committed: two-space JSON and a final newline. */
export const schemaText = (schema: JsonSchema): string => `${JSON.stringify(schema, null, 2)}\n`;
