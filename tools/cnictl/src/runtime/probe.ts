import type { PluginInvoker } from './invoke.ts';

/**
 * The versions a plugin says it supports (libcni's GetVersionInfo): VERSION with the version we
 * want on stdin. A plugin too old to know VERSION is taken to speak 0.1.0 only.
 */
export async function probeVersions(invoker: PluginInvoker, type: string, path: string[], cniVersion: string): Promise<string[]> {
  const out = await invoker.invoke(type, { command: 'VERSION', path }, JSON.stringify({ cniVersion }));
  let parsed: { supportedVersions?: unknown; msg?: unknown } | undefined;
  try {
    parsed = JSON.parse(out.stdout) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (out.exitCode !== 0) {
    if (typeof parsed?.msg === 'string' && parsed.msg.includes('unknown CNI_COMMAND')) return ['0.1.0'];
    throw new Error(`VERSION failed (exit ${out.exitCode})${typeof parsed?.msg === 'string' ? `: ${parsed.msg}` : out.stdout ? `: ${out.stdout.trim().slice(0, 200)}` : ''}`);
  }
  const versions = parsed?.supportedVersions;
  if (!Array.isArray(versions) || versions.some((v) => typeof v !== 'string')) {
    throw new Error(`VERSION answered without a supportedVersions list: ${out.stdout.trim().slice(0, 200)}`);
  }
  return versions as string[];
}
