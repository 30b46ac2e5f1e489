import { basename } from 'node:path';
import type { Node } from '../context.ts';
import { ok, problem, warn, type Finding } from '../finding.ts';

const CHECK = 'default network';

/**
 * Which list a runtime uses and what stands in its way: containerd and CRI-O take the first
 * file in name order (containerd stops at one that does not load; CRI-O skips it), so every
 * other list is shadowed, and a broken file before it stops containerd.
 */
export function checkConf(node: Node): Finding[] {
  const { entries, defaultList } = node;
  if (entries.length === 0) {
    return [problem(CHECK, `no network lists in ${node.confDir}: the runtime reports "cni plugin not initialized" and starts no pods`, 'install the network\'s conflist there (e.g. kube-flannel writes 10-flannel.conflist once its pod runs), or point --conf-dir at the right directory')];
  }
  const findings: Finding[] = [];
  const defaultIndex = entries.findIndex((e) => e.list);
  for (const [i, e] of entries.entries()) {
    if (!e.problem) continue;
    const before = defaultIndex === -1 || i < defaultIndex;
    findings.push(
      (before ? problem : warn)(
        'conflist',
        `${basename(e.file)} does not load: ${e.problem}${before ? ' (it sorts first: containerd refuses the conf dir, CRI-O skips it)' : ''}`,
        `fix or remove ${e.file} (cnictl validate ${e.file} says what is wrong)`,
      ),
    );
  }
  if (!defaultList) return findings;
  findings.push(ok(CHECK, `${basename(defaultList.file)} (network "${defaultList.name}", version ${defaultList.cniVersion}) is the network runtimes use`));
  const shadowed = entries.filter((e) => e.list && e.list !== defaultList);
  if (shadowed.length > 0) {
    const names = shadowed.map((e) => `${basename(e.file)} (network "${e.list!.name}")`).join(', ');
    findings.push(
      warn(
        'shadowed conflist',
        `${basename(defaultList.file)} shadows ${names}: runtimes use only the first list in name order`,
        `if one of those is the network you mean (a stray bridge list left by another runtime is a common cause), remove the stray file or rename yours to sort first (e.g. 00-${basename(shadowed[0]!.file).replace(/^\d+-/, '')})`,
      ),
    );
  }
  return findings;
}
