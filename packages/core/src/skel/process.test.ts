import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

// runPluginProcess owns the real process (stdin, fds 1 and 2, exit code): run it as one, under
// node, from a bundle of a tiny plugin whose ADD delegates to an exec'd script.
const dir = mkdtempSync(join(tmpdir(), 'cni-ts-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = join(dir, 'probe.ts');
writeFileSync(
  entry,
  `import { delegate, runPluginProcess } from ${JSON.stringify(join(__dirname, '../index.ts'))};
void runPluginProcess({
  name: 'probe',
  add: async (ctx) => (await delegate(ctx, 'noisy', 'ADD', ctx.config))!,
  del: async (ctx) => ctx.log('del ran'),
  check: async () => undefined,
  status: async () => undefined,
  gc: async () => undefined,
});
`,
);
const bundle = join(dir, 'probe.cjs');
buildSync({ entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
writeFileSync(join(dir, 'noisy'), `#!/bin/sh\necho 'delegate says hello' >&2\ncat > /dev/null\necho '{"cniVersion":"1.1.0","ips":[{"address":"10.0.0.2/24"}]}'\n`);
chmodSync(join(dir, 'noisy'), 0o755);

const ENV = { CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: dir };
const run = (env: Record<string, string>, input?: string) =>
  spawnSync(process.execPath, [bundle], { env: { PATH: process.env.PATH, ...env }, input, encoding: 'utf8' });

describe('runPluginProcess', () => {
  it("prints only the result on stdout; an exec'd delegate's stderr passes through", () => {
    const r = run({ ...ENV, CNI_COMMAND: 'ADD' }, JSON.stringify({ cniVersion: '0.3.1', name: 'n', type: 'probe' }));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ cniVersion: '0.3.1', ips: [{ version: '4', address: '10.0.0.2/24' }] });
    expect(r.stderr).toBe('delegate says hello\n');
  });

  it('writes the handler log to stderr and exits 0 with empty stdout for DEL', () => {
    const r = run({ ...ENV, CNI_COMMAND: 'DEL' }, JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'probe' }));
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: 'del ran\n' });
  });

  it('exits 1 with one error object for bad input', () => {
    const r = run({ ...ENV, CNI_COMMAND: 'ADD' }, '{');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 6 });
  });

  it('answers VERSION without reading stdin', () => {
    const r = spawnSync(process.execPath, [bundle], { env: { CNI_COMMAND: 'VERSION' }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).cniVersion).toBe('1.1.0');
  });

  it('reads a closed stdin as empty config (code 6), not as a crash', () => {
    const r = spawnSync(process.execPath, [bundle], { env: { ...ENV, CNI_COMMAND: 'ADD' }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 6 });
  });

  it('prints the about text without CNI_COMMAND', () => {
    const r = run({});
    expect(r).toMatchObject({ status: 0, stdout: '' });
    // Built from source, not by tools/build: no release version is baked in.
    expect(r.stderr).toMatch(/^CNI probe plugin \(cni-ts\) v0\.0\.0\+source\nCNI protocol versions supported: 0.1.0, /);
  });
});
