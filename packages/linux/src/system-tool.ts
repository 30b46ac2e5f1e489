import { statSync } from 'node:fs';
import { checkedOutput, type CommandRunner } from './run.ts';
import { inNetns } from './netns.ts';

/** Where system tools live: the system's own directories, never PATH. */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A file's identity (device and inode, through symlinks and hard links); undefined when it is not an executable file. */
function identity(path: string): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st?.isFile() && (st.mode & 0o111) !== 0 ? `${st.dev}:${st.ino}` : undefined;
}

/**
 * The absolute path of a system tool whose name a CNI plugin may also have (iproute2's
 * `bridge`). A runtime puts its plugin directory on PATH, often first: looked up there, `bridge`
 * would be our CNI plugin (or the reference's), which answers with its about text and exit 0,
 * and nothing would be programmed. So the tool is taken from the system directories only, and a
 * file that is this very executable (a plugin installed there) is refused.
 */
export function systemTool(name: string): string {
  const path = findSystemTool(name);
  if (!path) throw new Error(`${name}: no such system tool in ${SYSTEM_DIRS.join(', ')} (is iproute2 installed?)`);
  return path;
}

/** systemTool's lookup: undefined when the system directories hold no such tool. */
export function findSystemTool(name: string): string | undefined {
  const self = identity(process.execPath);
  for (const dir of SYSTEM_DIRS) {
    const path = `${dir}/${name}`;
    const id = identity(path);
    if (id && id !== self) return path;
  }
  return undefined;
}

/**
 * Run commands through iproute2's `bridge -batch -` (in `netns` when given). Its vlan and fdb
 * commands print nothing when they succeed, so any output is taken as a failure too: whatever
 * answered is not doing what was asked.
 */
export async function runBridgeBatch(runner: CommandRunner, netns: string, text: string): Promise<void> {
  const argv = inNetns(netns, [systemTool('bridge'), '-batch', '-']);
  const r = await runner.run(argv, { input: text });
  const out = checkedOutput(argv, r);
  if (out.trim() || r.stderr.trim()) throw new Error(`${argv.join(' ')}: unexpected reply: ${(out.trim() || r.stderr.trim()).split('\n')[0]}`);
}
