// Runs one `ip -batch` through IpNetlinkRunner under Bun, the runtime of the executables (bun:ffi
// exists only there), and prints the RunResult as JSON. argv: <netns path, or "" for this one>
// <ip options...>; stdin: the batch. The inner runner answers code 99, so a batch that would have
// gone to an `ip` process shows up as such instead of passing unnoticed.
import { readFileSync, writeSync } from 'node:fs';
import { IpNetlinkRunner } from '@cni-ts/linux/ip/netlink-runner';
import { inNetns } from '@cni-ts/linux/netns';

const [netns = '', ...options] = process.argv.slice(2);
const notCarriedOut = { run: async () => ({ stdout: '', stderr: 'not carried out over rtnetlink', code: 99 }) };
const result = await new IpNetlinkRunner(notCarriedOut).run(inNetns(netns, ['ip', ...options, '-batch', '-']), { input: readFileSync(0, 'utf8') });
writeSync(1, JSON.stringify(result));
