import { inNetns } from '@cni-ts/linux/netns';
import type { CommandRunner } from '@cni-ts/linux/run';

/** Poll intervals while IPv6 duplicate address detection runs (only with "enabledad"). */
const DAD_POLL_MS = 50;
const DAD_TIMEOUT_MS = 5000;

/** Wait until no address of `ifName` is tentative; fail after 5 s like the reference. */
export async function waitForDad(runner: CommandRunner, netns: string, ifName: string): Promise<void> {
  const deadline = Date.now() + DAD_TIMEOUT_MS;
  for (;;) {
    const r = await runner.run(inNetns(netns, ['ip', '-6', '-json', 'addr', 'show', 'dev', ifName, 'tentative']));
    const tentative = r.code === 0 && (JSON.parse(r.stdout || '[]') as Array<{ addr_info?: unknown[] }>).some((l) => (l.addr_info ?? []).length > 0);
    if (!tentative) return;
    if (r.code === 0 && /dadfailed/.test(r.stdout)) throw new Error(`IPv6 duplicate address detected on ${ifName}`);
    if (Date.now() > deadline) throw new Error(`IPv6 addresses of ${ifName} still tentative after ${DAD_TIMEOUT_MS / 1000} s`);
    await new Promise((res) => setTimeout(res, DAD_POLL_MS));
  }
}
