import { booleanField, listField, NETCONF_FIELDS, SAFE_NAME, stringField, SUPPORTED_VERSIONS, unknownKeys, type Fields, type UnknownKey } from '@cni-ts/core';
import type { NetworkList } from '../conf/load.ts';
import type { Finding } from './findings.ts';
import { checkPlugin } from './plugin-config.ts';

/** A conflist's own keys (beside `plugins`): what libcni reads, and the schema's list level. */
export const LIST_FIELDS = {
  $schema: NETCONF_FIELDS.$schema!,
  cniVersion: NETCONF_FIELDS.cniVersion!,
  cniVersions: listField(stringField('One version.', { enum: SUPPORTED_VERSIONS }), SUPPORTED_VERSIONS.length, 'Every version the list is written for; the runtime picks the highest it speaks.'),
  name: stringField('The network name, unique on the node.', { pattern: SAFE_NAME, patternName: 'a network name' }),
  disableCheck: booleanField('Never run CHECK on this list.', true),
  disableGC: booleanField('Never run GC on this list.', true),
  loadOnlyInlinedPlugins: booleanField('Ignore the drop-in plugin files in <confdir>/<name>/ (libcni 1.3).'),
} satisfies Fields;

const didYouMean = (u: UnknownKey): Pick<Finding, 'message' | 'fix'> => ({
  message: `unknown key "${u.path}"${u.suggestion ? ` (did you mean "${u.suggestion}"?)` : ''}: no plugin reads it`,
  fix: u.suggestion ? `rename it to "${u.suggestion}"` : 'remove it, or check the plugin\'s README for the key you meant',
});

/**
 * What the list's own plugins would say about their configs on ADD (problems), and the keys no
 * one reads (warnings), for the list as loaded (`raw` is the file's object for list-level keys).
 */
export function listConfigFindings(list: NetworkList, raw: Record<string, unknown> | undefined): Finding[] {
  const findings: Finding[] = [];
  const at = (more: Omit<Finding, 'file'>): void => void findings.push({ file: list.file, ...more });
  if (raw && Array.isArray(raw.plugins)) {
    for (const u of unknownKeys(raw, { ...LIST_FIELDS, plugins: NETCONF_FIELDS.prevResult! })) at({ severity: 'warning', check: 'unknown-key', ...didYouMean(u) });
  }
  list.plugins.forEach((plugin, i) => {
    const where = `plugins[${i}] "${plugin.type}"`;
    const verdict = checkPlugin(plugin, list.name, list.cniVersion);
    if (verdict.refusal) at({ severity: 'problem', check: 'config', message: `${where}: ADD would fail with ${verdict.refusal}`, fix: 'correct the key the message names' });
    for (const u of verdict.unknown) {
      const { message, fix } = didYouMean({ ...u, path: `plugins[${i}].${u.path}` });
      at({ severity: 'warning', check: 'unknown-key', message, ...(fix && { fix }) });
    }
  });
  return findings;
}
