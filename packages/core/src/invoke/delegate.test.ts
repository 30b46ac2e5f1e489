import { chmodSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { CallContext, Plugin } from '../skel/context.ts';
import { delegate, registerInProcess } from './delegate.ts';

const dir = mkdtempSync(join(tmpdir(), 'cni-ts-delegate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A delegate executable: records its env and stdin, then prints `stdout` and exits `code`. */
function script(name: string, stdout: string, code = 0): string {
  const file = join(dir, name);
  const record = join(dir, `${name}.seen`);
  writeFileSync(
    file,
    `#!/bin/sh\n{ env; echo ---; cat; } > '${record}'\nprintf '%s' '${stdout.replace(/'/g, `'\\''`)}'\nexit ${code}\n`,
  );
  chmodSync(file, 0o755);
  return record;
}

const logged: string[] = [];
const ctx: Pick<CallContext, 'env' | 'path' | 'log'> = {
  env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: dir, PATH: process.env.PATH },
  path: [dir],
  log: (m) => void logged.push(m),
};
const config = { cniVersion: '1.0.0', name: 'net1', type: 'ipam', subnet: '10.0.0.0/24', unknownKey: { kept: true } };

describe('delegate by exec', () => {
  it('passes the same env with the verb and the full config, and reads the result into 1.1.0', async () => {
    const seen = script('ipam', JSON.stringify({ cniVersion: '0.4.0', ips: [{ version: '4', address: '10.0.0.2/24' }] }));
    const result = await delegate(ctx, 'ipam', 'ADD', config);
    expect(result).toEqual({ cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/24' }] });
    const [env, stdin] = readFileSync(seen, 'utf8').split('---\n');
    expect(env).toContain('CNI_COMMAND=ADD\n');
    expect(env).toContain('CNI_CONTAINERID=c1\n');
    expect(env).toContain('CNI_IFNAME=eth0\n');
    expect(JSON.parse(stdin!)).toEqual(config);
  });

  it('reads a result without cniVersion at the config version', async () => {
    script('bare', JSON.stringify({ ip4: { ip: '10.0.0.3/24' } }));
    expect(await delegate(ctx, 'bare', 'ADD', { ...config, cniVersion: '0.2.0' })).toEqual({ cniVersion: '1.1.0', ips: [{ address: '10.0.0.3/24' }], routes: [] });
    expect(await delegate(ctx, 'bare', 'ADD', { ...config, cniVersion: undefined })).toMatchObject({ ips: [{ address: '10.0.0.3/24' }] });
  });

  it('sets CNI_COMMAND for each verb and returns nothing but for ADD', async () => {
    const seen = script('quiet', '');
    for (const verb of ['DEL', 'CHECK', 'STATUS', 'GC'] as const) {
      expect(await delegate(ctx, 'quiet', verb, config)).toBeUndefined();
      expect(readFileSync(seen, 'utf8')).toContain(`CNI_COMMAND=${verb}\n`);
    }
  });

  it("turns the delegate's error JSON into the same CniError", async () => {
    script('fails', JSON.stringify({ code: 11, msg: 'busy', details: 'retry' }), 1);
    await expect(delegate(ctx, 'fails', 'DEL', config)).rejects.toMatchObject({ code: 11, message: 'busy', details: 'retry' });
    script('fails2', JSON.stringify({ code: 7, msg: 'bad', details: 42 }), 1);
    await expect(delegate(ctx, 'fails2', 'DEL', config)).rejects.toMatchObject({ code: 7, message: 'bad', details: '' });
  });

  it('a failure without error JSON is code 999 with the exit code and what it printed', async () => {
    script('crash', 'segfault', 139);
    await expect(delegate(ctx, 'crash', 'ADD', config)).rejects.toMatchObject({ code: 999, message: 'delegate "crash" failed with exit code 139: segfault' });
    script('silent', '', 2);
    await expect(delegate(ctx, 'silent', 'ADD', config)).rejects.toMatchObject({ message: 'delegate "silent" failed with exit code 2 and printed no error' });
    script('nulljson', 'null', 1);
    await expect(delegate(ctx, 'nulljson', 'ADD', config)).rejects.toMatchObject({ code: 999 });
  });

  it('an ADD result that is not JSON is code 6; one of an unknown version is code 1', async () => {
    script('garbage', 'hello');
    await expect(delegate(ctx, 'garbage', 'ADD', config)).rejects.toMatchObject({ code: ErrorCode.DecodeFailure, message: expect.stringContaining('not JSON: "hello"') });
    script('future', JSON.stringify({ cniVersion: '9.0.0' }));
    await expect(delegate(ctx, 'future', 'ADD', config)).rejects.toMatchObject({ code: ErrorCode.IncompatibleVersion, message: expect.stringContaining('"9.0.0"') });
  });

  it('a delegate that cannot be started is code 5', async () => {
    writeFileSync(join(dir, 'noexec'), '#!/nonexistent/interpreter\n');
    chmodSync(join(dir, 'noexec'), 0o755);
    await expect(delegate(ctx, 'noexec', 'ADD', config)).rejects.toMatchObject({ code: ErrorCode.IoFailure });
  });

  it('a delegate missing from CNI_PATH is code 4', async () => {
    await expect(delegate(ctx, 'absent', 'ADD', config)).rejects.toBeInstanceOf(CniError);
  });
});

describe('delegate in-process', () => {
  it('runs a plugin linked into this executable without exec when CNI_PATH finds this very file', async () => {
    const self = join(dir, 'self');
    writeFileSync(self, '#!/bin/sh\necho must-not-run; exit 1\n');
    chmodSync(self, 0o755);
    linkSync(self, join(dir, 'inproc'));
    const calls: string[] = [];
    const plugin: Plugin = {
      name: 'inproc',
      add: async (c) => {
        calls.push(`${c.command} ${c.containerId} ${String(c.config.unknownKey && 'kept')}`);
        c.log('from the delegate');
        return { cniVersion: '1.1.0', ips: [{ address: '10.9.0.2/24' }] };
      },
      del: async (c) => void calls.push(c.command),
      check: async () => undefined,
      status: async () => undefined,
      gc: async () => {
        throw new CniError(ErrorCode.TryAgainLater, 'later');
      },
    };
    let loads = 0;
    registerInProcess(self, { inproc: async () => (loads++, plugin) });
    logged.length = 0;
    expect(await delegate(ctx, 'inproc', 'ADD', config)).toEqual({ cniVersion: '1.1.0', ips: [{ address: '10.9.0.2/24' }] });
    expect(await delegate(ctx, 'inproc', 'DEL', config)).toBeUndefined();
    await expect(delegate(ctx, 'inproc', 'GC', { ...config, cniVersion: '1.1.0' })).rejects.toMatchObject({ code: 11, message: 'later' });
    expect(calls).toEqual(['ADD c1 kept', 'DEL']);
    expect(logged).toEqual(['from the delegate\n']);
    expect(loads).toBe(3);
  });

  it('execs a registered name when CNI_PATH finds another file of that name', async () => {
    script('other', JSON.stringify({ cniVersion: '1.1.0', ips: [{ address: '10.8.0.2/24' }] }));
    registerInProcess(join(dir, 'self'), { other: async () => { throw new Error('must not load'); } });
    expect(await delegate(ctx, 'other', 'ADD', config)).toEqual({ cniVersion: '1.1.0', ips: [{ address: '10.8.0.2/24' }] });
  });
});
