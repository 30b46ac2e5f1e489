import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkList } from '../../conf/load.ts';
import { probeVersions } from '../../runtime/probe.ts';
import { missingPluginFix } from '../../runtime/shipped.ts';
import { flannelView } from '../../state/inventory.ts';
import type { Node } from '../context.ts';
import { ok, problem, type Finding } from '../finding.ts';

const CHECK = 'plugin';

/** ELF e_machine of each Node.js architecture name. */
const ELF_MACHINE: Record<string, number> = { ia32: 3, x64: 62, arm: 40, arm64: 183, mips: 8, mipsel: 8, ppc64: 21, s390x: 22, riscv64: 243 };
const MACHINE_NAME: Record<number, string> = { 3: 'x86 (32-bit)', 62: 'x86-64', 40: 'arm', 183: 'arm64 (aarch64)', 8: 'mips', 21: 'ppc64', 22: 's390x', 243: 'riscv64' };

/** Every plugin the list runs, with the ones its plugins delegate to (IPAM, flannel's delegate). */
export function pluginsOf(list: NetworkList, node: Pick<Node, 'defaults'>): string[] {
  const types = new Set<string>();
  for (const p of list.plugins) {
    types.add(p.type);
    let conf: Record<string, unknown> = p;
    if (p.type === 'flannel') {
      const d = (p.delegate ?? {}) as Record<string, unknown>;
      types.add(typeof d.type === 'string' ? d.type : 'bridge');
      conf = flannelView(list, p, node.defaults).delegate ?? { ipam: { type: 'host-local', ...((p.ipam ?? {}) as object) } };
    }
    const ipam = conf.ipam as Record<string, unknown> | undefined;
    if (typeof ipam?.type === 'string' && ipam.type !== '') types.add(ipam.type);
  }
  return [...types];
}

/** The ELF machine of a file, or undefined when it is not an ELF file (a script, say). */
export function elfMachine(file: string): number | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(20);
    if (readSync(fd, head, 0, 20, 0) < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
    return head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  } finally {
    closeSync(fd);
  }
}

/** Present, executable, of this machine's architecture, answering VERSION with the list's version. */
export async function checkPlugins(node: Node, arch: string = process.arch): Promise<Finding[]> {
  const list = node.defaultList;
  if (!list) return [];
  const findings: Finding[] = [];
  for (const type of pluginsOf(list, node)) {
    const where = `"${type}" (needed by ${list.name})`;
    const file = node.binDirs.map((d) => join(d, type)).find((f) => statOrUndefined(f)?.isFile());
    if (!file) {
      findings.push(problem(CHECK, `${where} is not in ${node.binDirs.join(':')}: every ADD fails with "failed to find plugin"`, missingPluginFix(type, node.binDirs)));
      continue;
    }
    try {
      accessSync(file, constants.X_OK);
    } catch {
      findings.push(problem(CHECK, `${file} is not executable`, `chmod 755 ${file}`));
      continue;
    }
    const machine = elfMachine(file);
    const want = ELF_MACHINE[arch];
    if (machine !== undefined && want !== undefined && machine !== want) {
      findings.push(
        problem(CHECK, `${file} is built for ${MACHINE_NAME[machine] ?? `ELF machine ${machine}`}, this machine is ${MACHINE_NAME[want]}: it cannot run ("exec format error")`, `install the ${process.arch} build of ${type} into ${node.binDirs[0]}`),
      );
      continue;
    }
    try {
      const versions = await probeVersions(node.invoker, type, node.binDirs, list.cniVersion);
      if (!versions.includes(list.cniVersion)) {
        findings.push(problem(CHECK, `${file} does not speak version ${list.cniVersion} of ${list.file} (it supports ${versions.join(', ')})`, `upgrade ${type}, or set the list's "cniVersion" to one it supports`));
      } else {
        findings.push(ok(CHECK, `${file} answers VERSION with ${list.cniVersion}`));
      }
    } catch (e) {
      findings.push(problem(CHECK, `${file} does not answer VERSION: ${(e as Error).message}`, `reinstall ${type} (a torn copy or a wrong file is the usual cause)`));
    }
  }
  return findings;
}

function statOrUndefined(file: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
