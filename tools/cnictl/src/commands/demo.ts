import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { runDemo } from '../demo/demo.ts';
import { selfDir } from '../install/install.ts';
import { labDemo } from '../lab/index.ts';

const USAGE = 'usage: cnictl demo [--cni-path DIRS] [--pods N] [--no-portmap] [--no-lab]';

/**
 * `cnictl demo` (what `npm start` runs): pods on one bridge, then the multi-node flannel lab.
 * Exit status: non-zero when any check of either part failed.
 */
export async function demoCommand(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, ['cni-path', 'pods'], ['no-portmap', 'no-lab']);
  if (a.positionals.length > 0) throw new UsageError(USAGE);
  const pods = Number(a.options.get('pods') ?? 3);
  if (!Number.isInteger(pods) || pods < 1 || pods > 20) throw new UsageError('--pods must be a whole number from 1 to 20');
  if (process.getuid?.() !== 0) throw new UsageError('the demo creates network namespaces: run it as root');
  const cniPath = (a.options.get('cni-path') ?? selfDir()).split(':').filter(Boolean);
  let failures = await runDemo({ cniPath, pods, portmap: !a.flags.has('no-portmap'), say: out });
  out(failures === 0 ? 'demo: every check passed' : `demo: ${failures} check(s) failed`);
  if (!a.flags.has('no-lab')) {
    const flannelDir = cniPath.find((d) => existsSync(join(d, 'flannel')));
    out('');
    if (flannelDir) failures += await labDemo({ binDir: flannelDir, cniPath: cniPath.join(':') });
    else out(`lab skipped: no flannel plugin in ${cniPath.join(':')}`);
  }
  return failures === 0 ? 0 : 1;
}
