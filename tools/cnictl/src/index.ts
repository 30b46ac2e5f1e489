/** cnictl entry: returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`cnictl: not implemented yet (${argv.join(' ')})\n`);
  return 1;
}
