import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from '../cli/options.ts';
import { UsageError } from '../cli/output.ts';

/** Who attaches the pods: cnictl running each node's conflist, or a containerd per node through its CRI. */
export type LabRuntime = 'namespace' | 'containerd';

export interface LabOptions {
  runtime: LabRuntime;
  prefix: string;
  stateDir: string;
  podsPerNode: number[];
  dualStack: boolean;
  binDir: string;
  cniPath: string;
  /** The cnictl that attaches pods: the one beside the plugins, else this very executable. */
  cnictl: string;
}

const VALUED = ['runtime', 'nodes', 'pods-per-node', 'prefix', 'state-dir', 'bin-dir', 'cni-path'];
const RUNTIMES: readonly LabRuntime[] = ['namespace', 'containerd'];

/** `[--runtime namespace|containerd] [--nodes N] [--pods-per-node N|N1,N2,...] [--dual-stack] [--prefix P] [--state-dir D] [--bin-dir D] [--cni-path P]` */
export function parseLabOptions(argv: readonly string[]): LabOptions {
  const a = parseArgs(argv, VALUED, ['dual-stack']);
  if (a.positionals.length > 0) throw new UsageError(`cnictl lab: unexpected argument "${a.positionals[0]}"`);
  const prefix = a.options.get('prefix') ?? 'ctslab';
  // Every namespace name starts with the prefix; keep it short and plain.
  if (!/^[a-z][a-z0-9]{0,15}$/.test(prefix)) throw new UsageError('--prefix must be 1-16 lower-case letters or digits, starting with a letter');
  const int = (name: string, raw: string, max: number): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new UsageError(`--${name}: "${raw}" is not a number from 1 to ${max}`);
    return Number(raw);
  };
  const perNode = (a.options.get('pods-per-node') ?? '1').split(',').map((p) => int('pods-per-node', p.trim(), 50));
  const nodesRaw = a.options.get('nodes');
  const nodes = nodesRaw !== undefined ? int('nodes', nodesRaw, 20) : perNode.length > 1 ? perNode.length : 2;
  if (perNode.length > 1 && perNode.length !== nodes) throw new UsageError(`--pods-per-node lists ${perNode.length} nodes but --nodes is ${nodes}`);
  const runtime = (a.options.get('runtime') ?? 'namespace') as LabRuntime;
  if (!RUNTIMES.includes(runtime)) throw new UsageError(`--runtime must be ${RUNTIMES.join(' or ')}, not "${runtime}"`);
  const binDir = a.options.get('bin-dir') ?? defaultBinDir();
  return {
    runtime,
    prefix,
    stateDir: a.options.get('state-dir') ?? `/run/cni-ts-lab/${prefix}`,
    podsPerNode: perNode.length > 1 ? perNode : Array<number>(nodes).fill(perNode[0]!),
    dualStack: a.flags.has('dual-stack'),
    binDir,
    cniPath: a.options.get('cni-path') ?? binDir,
    cnictl: isExecutable(join(binDir, 'cnictl')) ? join(binDir, 'cnictl') : process.execPath,
  };
}

/** The directory of the running cnictl when it sits beside the plugins (dist/bin), else /opt/cni/bin. */
function defaultBinDir(): string {
  const here = dirname(process.execPath);
  return isExecutable(join(here, 'cnictl')) && isExecutable(join(here, 'flannel')) ? here : '/opt/cni/bin';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
