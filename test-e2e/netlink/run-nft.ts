// Runs one nft command line through NftProbeRunner under Bun (bun:ffi exists only there) in this
// process's namespace and prints the RunResult as JSON. argv: the nft argv. The inner runner
// answers code 99, so a command that would have gone to `nft` shows up as such.
import { writeSync } from 'node:fs';
import { NftProbeRunner } from '@cni-ts/linux/netfilter/nft-probe-runner';

const toNft = { run: async () => ({ stdout: '', stderr: 'handed to nft', code: 99 }) };
writeSync(1, JSON.stringify(await new NftProbeRunner(toNft).run(process.argv.slice(2))));
