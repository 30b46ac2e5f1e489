import type { CommandRunner } from '../run.ts';
import { parseNftListing, type NftRule } from './nft-listing.ts';

/** nftables through the `nft` binary: one `nft -f -` script is one atomic transaction. */
export async function nftApply(runner: CommandRunner, script: string): Promise<void> {
  const r = await runner.run(['nft', '-f', '-'], { input: script });
  if (r.code !== 0) throw new Error(`nft -f -: ${r.stderr.trim() || r.stdout.trim()}`);
}

/**
 * The rules of one chain (`nft -j list chain`). A missing table or chain reads as no rules:
 * callers use this to find what they installed, and nothing installed is a valid answer.
 */
export async function nftListChain(runner: CommandRunner, family: string, table: string, chain: string): Promise<NftRule[]> {
  const r = await runner.run(['nft', '-j', 'list', 'chain', family, table, chain]);
  if (r.code !== 0) {
    if (/No such file or directory|does not exist/.test(r.stderr)) return [];
    throw new Error(`nft list chain ${family} ${table} ${chain}: ${r.stderr.trim()}`);
  }
  return parseNftListing(r.stdout).rules;
}

/** A string literal in nft's script syntax. */
export function nftString(text: string): string {
  return `"${text.replace(/["\\]/g, '')}"`;
}
