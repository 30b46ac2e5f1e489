import { parseArgs } from '../cli/options.ts';
import { out, UsageError } from '../cli/output.ts';
import { runDemo } from '../demo/demo.ts';
import { selfDir } from '../install/install.ts';

/** `cnictl demo [--cni-path DIRS] [--pods N] [--no-portmap]` (what `npm start` runs). */
export async function demoCommand(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, ['cni-path', 'pods'], ['no-portmap']);
  if (a.positionals.length > 0) throw new UsageError('usage: cnictl demo [--cni-path DIRS] [--pods N] [--no-portmap]');
  const pods = Number(a.options.get('pods') ?? 3);
  if (!Number.isInteger(pods) || pods < 1 || pods > 20) throw new UsageError('--pods must be a whole number from 1 to 20');
  if (process.getuid?.() !== 0) throw new UsageError('the demo creates network namespaces: run it as root');
  const failures = await runDemo({
    cniPath: (a.options.get('cni-path') ?? selfDir()).split(':').filter(Boolean),
    pods,
    portmap: !a.flags.has('no-portmap'),
    say: out,
  });
  out(failures === 0 ? 'demo: every check passed' : `demo: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}
