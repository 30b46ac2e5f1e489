import { basename, extname } from 'node:path';
import type { PluginInvoker } from '../runtime/invoke.ts';
import type { CheckedFile, Finding } from './findings.ts';
import { listConfigFindings } from './list-config.ts';
import { loadFile, runtimeFiles, type LoadedFile } from './load-dir.ts';
import { checkPlugins, type BridgeUse } from './plugin-checks.ts';

export interface Report {
  files: CheckedFile[];
  findings: Finding[];
}

const describe = (l: LoadedFile): string => `${basename(l.file)} (network "${l.list!.name}")`;

/**
 * Everything validate knows about a conf dir (or one file, or one network of the dir): each
 * file as the runtime loads it, what each plugin's own parser says, what the node lacks, which
 * file CRI runtimes use and which it shadows, and bridges shared with different subnets.
 */
export async function validate(target: string, path: readonly string[], invoker: PluginInvoker, network?: string): Promise<Report> {
  const { dir, files } = runtimeFiles(target);
  if (files.length === 0) {
    return { files: [{ file: dir }], findings: [{ severity: 'problem', check: 'load', file: dir, message: `no network configuration files (*.conf, *.conflist, *.json) in ${dir}: the runtime starts no pods ("cni plugin not initialized")`, fix: "install your network's conflist there, or point --conf-dir (NETCONFPATH) at it" }] };
  }
  let loaded = files.map((f) => loadFile(f, dir));
  if (network !== undefined) {
    loaded = loaded.filter((l) => l.problem || l.list?.name === network);
    if (!loaded.some((l) => l.list)) throw new Error(`no network named "${network}" in ${dir}`);
  }
  const findings: Finding[] = [];
  const runnable = new Set<LoadedFile>();
  const bridges: BridgeUse[] = [];
  for (const l of loaded) {
    if (!l.list) {
      findings.push({ severity: 'problem', check: 'load', file: l.file, message: l.problem!, fix: 'correct the file: a runtime cannot load it' });
      continue;
    }
    for (const d of l.dropIns) findings.push({ severity: 'info', check: 'drop-in', file: l.file, message: `plugins from the drop-in file ${d} are appended (libcni 1.3)` });
    findings.push(...listConfigFindings(l.list, l.raw));
    const checked = await checkPlugins(l.list, path, invoker);
    findings.push(...checked.findings);
    bridges.push(...checked.bridges);
    if (checked.runnable) runnable.add(l);
  }
  findings.push(...nameFindings(loaded), ...defaultNetworkFindings(loaded, runnable), ...bridgeFindings(bridges));
  return { files: loaded.map((l) => ({ file: l.file, ...(l.list && { network: l.list.name, cniVersion: l.list.cniVersion }) })), findings };
}

/**
 * Two files with one network name: a runtime asking for it by name (libcni: .conflist files
 * first, then .conf and .json, each by name) gets the first; the other is never used.
 */
function nameFindings(loaded: readonly LoadedFile[]): Finding[] {
  const byName = [...loaded].filter((l) => l.list).sort((a, b) => Number(extname(a.file) !== '.conflist') - Number(extname(b.file) !== '.conflist'));
  const first = new Map<string, LoadedFile>();
  const findings: Finding[] = [];
  for (const l of byName) {
    const winner = first.get(l.list!.name);
    if (!winner) first.set(l.list!.name, l);
    else findings.push({ severity: 'problem', check: 'shadowed', file: l.file, message: `network name "${l.list!.name}" is also used by ${winner.file}, which wins: this file is never used`, fix: 'give this list its own "name", or remove the file' });
  }
  return findings;
}

/**
 * CRI runtimes (containerd, CRI-O) put every pod on one network: the first file in name order
 * they can load. CRI-O skips a list whose plugins are missing or do not speak its version, so a
 * later file then shadows the one meant; containerd takes it anyway and every pod fails.
 */
function defaultNetworkFindings(loaded: readonly LoadedFile[], runnable: ReadonlySet<LoadedFile>): Finding[] {
  const used = loaded.find((l) => l.list && runnable.has(l));
  if (!used) return [];
  const index = loaded.indexOf(used);
  const skipped = loaded.slice(0, index);
  const findings: Finding[] = [];
  if (skipped.length === 0) {
    findings.push({ severity: 'info', check: 'default-network', file: used.file, message: 'CRI runtimes (containerd, CRI-O) use this list for every pod: it is the first file in name order' });
  } else {
    const names = skipped.map((l) => (l.list ? describe(l) : basename(l.file))).join(', ');
    findings.push({
      severity: 'warning',
      check: 'default-network',
      file: used.file,
      message: `CRI runtimes use this list for every pod: it shadows ${names}, which sorts first but cannot run (see its problems); CRI-O skips it, containerd fails every pod with it`,
      fix: `fix ${names} or, if this file is a stray (another runtime's default bridge list is a common one), remove it`,
    });
    for (const l of skipped) {
      findings.push({ severity: 'problem', check: 'default-network', file: l.file, message: `this file sorts first, but CRI-O skips it and uses ${describe(used)} instead (containerd fails every pod)`, fix: 'correct the problems above' });
    }
  }
  for (const l of loaded.slice(index + 1)) {
    if (l.list) findings.push({ severity: 'info', check: 'default-network', file: l.file, message: `CRI runtimes never use this list (they use ${describe(used)}); runtimes that ask for network "${l.list.name}" by name do` });
  }
  return findings;
}

/** Two networks on one bridge with different subnets: the bridge gets both, or ADD fails. */
function bridgeFindings(bridges: readonly BridgeUse[]): Finding[] {
  const findings: Finding[] = [];
  bridges.forEach((b, i) => {
    const other = bridges.slice(0, i).find((o) => o.bridge === b.bridge && o.network !== b.network && o.subnets.length > 0 && b.subnets.length > 0 && o.subnets.join() !== b.subnets.join());
    if (!other) return;
    findings.push({
      severity: 'problem',
      check: 'bridge',
      file: b.file,
      message: `bridge "${b.bridge}" is also used by ${basename(other.file)} (network "${other.network}", ${other.subnets.join(', ')}); this list gives it ${b.subnets.join(', ')}: ADD fails with '"${b.bridge}" already has an IP address different from ...' or the bridge routes both`,
      fix: `give one of the lists its own "bridge" name, or the same subnet`,
    });
  });
  return findings;
}
