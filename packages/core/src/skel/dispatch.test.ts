import { describe, expect, it } from 'vitest';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { Result } from '../spec/types.ts';
import { SUPPORTED_VERSIONS } from '../version/versions.ts';
import type { CallContext, CallOutput, Plugin } from './context.ts';
import { dispatch, type DispatchOptions } from './dispatch.ts';
import type { NetnsKind } from './netns.ts';

const RESULT: Result = {
  cniVersion: '1.1.0',
  interfaces: [{ name: 'eth0', sandbox: '/run/netns/c1' }],
  ips: [{ address: '10.1.0.5/24', gateway: '10.1.0.1', interface: 0 }],
};

/** A plugin that records each call and answers with RESULT, or with what `fail` throws. */
function recorder(fail?: unknown): Plugin & { calls: CallContext[] } {
  const calls: CallContext[] = [];
  const handle = async (ctx: CallContext): Promise<void> => {
    calls.push(ctx);
    if (fail !== undefined) throw fail;
  };
  return {
    name: 'test',
    calls,
    add: async (ctx) => {
      await handle(ctx);
      ctx.log('added');
      return RESULT;
    },
    del: handle,
    check: handle,
    status: handle,
    gc: handle,
  };
}

const ENV = { CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/c1', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };
const conf = (extra: Record<string, unknown> = {}): string => JSON.stringify({ cniVersion: '1.1.0', name: 'net1', type: 'test', ...extra });
const notOurs: DispatchOptions = { isOwnNetns: () => false };

async function call(plugin: Plugin, env: Record<string, string | undefined>, stdin = conf(), options = notOurs): Promise<CallOutput> {
  return dispatch(plugin, { env, stdin }, options);
}

/** The one error object on stdout, after checking it is the only thing there. */
function errorOf(out: CallOutput): { code: number; msg: string; cniVersion?: string; details?: string } {
  expect(out.exitCode).toBe(1);
  return JSON.parse(out.stdout);
}

describe('no CNI_COMMAND', () => {
  it('prints the about text on stderr, nothing on stdout, exit 0', async () => {
    for (const command of [undefined, '']) {
      const p = recorder();
      const out = await call(p, { ...ENV, CNI_COMMAND: command });
      expect(out).toEqual({ stdout: '', stderr: `CNI test plugin (cni-ts) v0.0.0+source\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`, exitCode: 0 });
      expect(p.calls).toHaveLength(0);
    }
  });
});

describe('VERSION', () => {
  it('answers 1.1.0 and every supported version, ignoring stdin and other env', async () => {
    const out = await call(recorder(), { CNI_COMMAND: 'VERSION' }, 'not json');
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '1.1.0', supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  });
});

describe('unknown CNI_COMMAND', () => {
  it('is code 4 naming the command', async () => {
    const e = errorOf(await call(recorder(), { ...ENV, CNI_COMMAND: 'add' }));
    expect(e).toEqual({ cniVersion: '1.1.0', code: ErrorCode.InvalidEnvironment, msg: 'unknown CNI_COMMAND: add' });
  });
});

describe('required environment per verb', () => {
  const required: Record<string, string[]> = {
    ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
    DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
    CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
    STATUS: ['CNI_PATH'],
    GC: ['CNI_PATH'],
  };
  for (const [verb, vars] of Object.entries(required)) {
    for (const name of vars) {
      for (const value of [undefined, '']) {
        it(`${verb} without ${name} (${value === undefined ? 'unset' : 'empty'}) is code 4 naming it`, async () => {
          const p = recorder();
          const e = errorOf(await call(p, { ...ENV, CNI_COMMAND: verb, [name]: value }));
          expect(e.code).toBe(ErrorCode.InvalidEnvironment);
          expect(e.msg).toBe(`required env variables [${name}] missing`);
          expect(p.calls).toHaveLength(0);
        });
      }
    }
  }

  it('lists every missing variable at once', async () => {
    const e = errorOf(await call(recorder(), { CNI_COMMAND: 'ADD' }));
    expect(e.msg).toBe('required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH] missing');
  });

  it('DEL needs no CNI_NETNS; STATUS and GC need no container, netns or ifname', async () => {
    for (const [verb, env] of [
      ['DEL', { CNI_CONTAINERID: 'c1', CNI_IFNAME: 'eth0', CNI_PATH: '/x' }],
      ['STATUS', { CNI_PATH: '/x' }],
      ['GC', { CNI_PATH: '/x' }],
    ] as const) {
      const p = recorder();
      const out = await call(p, { ...env, CNI_COMMAND: verb });
      expect(out).toEqual({ stdout: '', stderr: '', exitCode: 0 });
      expect(p.calls).toHaveLength(1);
    }
  });
});

describe('stdin config', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['empty stdin', '', ErrorCode.DecodeFailure, /error parsing network configuration from stdin/],
    ['malformed JSON', '{"name":', ErrorCode.DecodeFailure, /error parsing network configuration from stdin/],
    ['a JSON list', '[]', ErrorCode.DecodeFailure, /must be a JSON object/],
    ['JSON null', 'null', ErrorCode.DecodeFailure, /must be a JSON object/],
    ['a numeric cniVersion', conf({ cniVersion: 1 }), ErrorCode.DecodeFailure, /"cniVersion" must be a string/],
    ['an unsupported cniVersion', conf({ cniVersion: '2.0.0' }), ErrorCode.IncompatibleVersion, /cniVersion "2.0.0" is not supported/],
    ['a malformed cniVersion', conf({ cniVersion: 'v1' }), ErrorCode.IncompatibleVersion, /cniVersion "v1" is not supported/],
    ['no network name', conf({ name: undefined }), ErrorCode.InvalidConfig, /missing network name/],
    ['an empty network name', conf({ name: '' }), ErrorCode.InvalidConfig, /missing network name/],
    ['a non-string network name', conf({ name: 5 }), ErrorCode.InvalidConfig, /missing network name/],
    ['a network name escaping a directory', conf({ name: '../etc' }), ErrorCode.InvalidConfig, /invalid network name "..\/etc"/],
    ['a network name with a slash', conf({ name: 'a/b' }), ErrorCode.InvalidConfig, /invalid network name "a\/b"/],
    ['no type', conf({ type: undefined }), ErrorCode.InvalidConfig, /"type" must be a non-empty string/],
    ['runtimeConfig not an object', conf({ runtimeConfig: [] }), ErrorCode.InvalidConfig, /"runtimeConfig" must be a JSON object/],
    ['args not an object', conf({ args: 'x' }), ErrorCode.InvalidConfig, /"args" must be a JSON object/],
    ['ipam null', conf({ ipam: null }), ErrorCode.InvalidConfig, /"ipam" must be a JSON object/],
    ['prevResult not an object', conf({ prevResult: 3 }), ErrorCode.DecodeFailure, /invalid prevResult: result must be a JSON object/],
    ['prevResult with a bad ips list', conf({ prevResult: { ips: {} } }), ErrorCode.DecodeFailure, /invalid prevResult: result.ips must be a list/],
  ];
  for (const verb of ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC']) {
    for (const [what, stdin, code, msg] of cases) {
      it(`${verb} with ${what} is code ${code}, before the handler`, async () => {
        const p = recorder();
        const e = errorOf(await call(p, { ...ENV, CNI_COMMAND: verb }, stdin));
        expect(e.code).toBe(code);
        expect(e.msg).toMatch(msg);
        expect(p.calls).toHaveLength(0);
      });
    }
  }

  it('reads a config without cniVersion as 0.1.0 and keeps unknown keys', async () => {
    const p = recorder();
    const out = await call(p, { ...ENV, CNI_COMMAND: 'ADD' }, JSON.stringify({ name: 'n', type: 't', custom: { deep: [1] } }));
    expect(out.exitCode).toBe(0);
    expect(p.calls[0]!.version).toBe('0.1.0');
    expect(p.calls[0]!.config.custom).toEqual({ deep: [1] });
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: '0.1.0', ip4: { ip: '10.1.0.5/24', gateway: '10.1.0.1' } });
  });

  it("an error carries the config's cniVersion when the config names one this code speaks", async () => {
    const version = async (env: Record<string, string>, stdin: string) => errorOf(await call(recorder(), { ...ENV, ...env }, stdin)).cniVersion;
    expect(await version({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: '/x' }, conf({ cniVersion: '0.4.0' }))).toBe('0.4.0');
    expect(await version({ CNI_COMMAND: 'ADD' }, conf({ cniVersion: '0.3.1', type: 7 }))).toBe('0.3.1');
    expect(await version({ CNI_COMMAND: 'ADD', CNI_NETNS: '' }, conf({ cniVersion: '1.0.0' }))).toBe('1.0.0');
    expect(await version({ CNI_COMMAND: 'ADD', CNI_IFNAME: 'a/b' }, JSON.stringify({ name: 'n', type: 't' }))).toBe('0.1.0');
    expect(await version({ CNI_COMMAND: 'ADD' }, conf({ cniVersion: '9.9.9' }))).toBe('1.1.0');
    expect(await version({ CNI_COMMAND: 'ADD' }, conf({ cniVersion: 4, name: '' }))).toBe('1.1.0');
    expect(await version({ CNI_COMMAND: 'ADD' }, 'null')).toBe('1.1.0');
    expect(await version({ CNI_COMMAND: 'ADD' }, '{')).toBe('1.1.0');
  });
});

describe('version gates', () => {
  const gates: Record<string, string> = { ADD: '0.1.0', DEL: '0.1.0', CHECK: '0.4.0', STATUS: '1.1.0', GC: '1.1.0' };
  for (const [verb, min] of Object.entries(gates)) {
    for (const version of SUPPORTED_VERSIONS) {
      const allowed = SUPPORTED_VERSIONS.indexOf(version) >= SUPPORTED_VERSIONS.indexOf(min as never);
      it(`${verb} at ${version} is ${allowed ? 'allowed' : 'code 1'}`, async () => {
        const p = recorder();
        const out = await call(p, { ...ENV, CNI_COMMAND: verb }, conf({ cniVersion: version }));
        if (allowed) {
          expect(out.exitCode).toBe(0);
          expect(p.calls).toHaveLength(1);
          expect(p.calls[0]!.command).toBe(verb);
          expect(p.calls[0]!.version).toBe(version);
        } else {
          const e = errorOf(out);
          expect(e).toEqual({
            cniVersion: version,
            code: ErrorCode.IncompatibleVersion,
            msg: `config version does not allow ${verb}: cniVersion is "${version}", ${verb} needs >= ${min}`,
          });
          expect(p.calls).toHaveLength(0);
        }
      });
    }
  }
});

describe('ADD output', () => {
  for (const version of SUPPORTED_VERSIONS) {
    it(`prints the result at ${version}, with the handler's log on stderr`, async () => {
      const out = await call(recorder(), { ...ENV, CNI_COMMAND: 'ADD' }, conf({ cniVersion: version }));
      expect(out.exitCode).toBe(0);
      expect(out.stderr).toBe('added\n');
      const printed = JSON.parse(out.stdout);
      expect(printed.cniVersion).toBe(version);
      if (version >= '0.3.0') expect(printed.ips[0].address).toBe('10.1.0.5/24');
      else expect(printed.ip4.ip).toBe('10.1.0.5/24');
    });
  }

  it('an L2-only result at 0.2.0 is code 1', async () => {
    const p: Plugin = { ...recorder(), add: async () => ({ cniVersion: '1.1.0', interfaces: [{ name: 'eth0' }] }) };
    const e = errorOf(await call(p, { ...ENV, CNI_COMMAND: 'ADD' }, conf({ cniVersion: '0.2.0' })));
    expect(e.code).toBe(ErrorCode.IncompatibleVersion);
    expect(e.msg).toMatch(/no valid IP addresses/);
  });
});

describe('call context', () => {
  it('carries env, ids, CNI_PATH split, CNI_ARGS and the config', async () => {
    const p = recorder();
    const env = { ...ENV, CNI_COMMAND: 'CHECK', CNI_PATH: '/a::/b', CNI_ARGS: 'IgnoreUnknown=1;K=V' };
    await call(p, env, conf({ prevResult: RESULT }));
    const ctx = p.calls[0]!;
    expect(ctx).toMatchObject({ command: 'CHECK', containerId: 'c1', netns: '/run/netns/c1', ifName: 'eth0', path: ['/a', '/b'], cniArgs: 'IgnoreUnknown=1;K=V' });
    expect(ctx.env).toBe(env);
    expect(ctx.config.name).toBe('net1');
    expect(ctx.validAttachments).toBeUndefined();
  });

  it('reads prevResult at the config version, whatever it claims itself', async () => {
    const p = recorder();
    const prev = { cniVersion: '1.1.0', ip4: { ip: '10.0.0.2/24', gateway: '10.0.0.1', routes: [{ dst: '0.0.0.0/0' }] } };
    await call(p, { ...ENV, CNI_COMMAND: 'DEL' }, conf({ cniVersion: '0.2.0', prevResult: prev }));
    expect(p.calls[0]!.prevResult).toEqual({ cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1' }], routes: [{ dst: '0.0.0.0/0' }] });
    const q = recorder();
    await call(q, { ...ENV, CNI_COMMAND: 'CHECK' }, conf({ cniVersion: '0.4.0', prevResult: { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.0.0.2/24' }] } }));
    expect(q.calls[0]!.prevResult).toEqual({ cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/24' }] });
  });

  it('leaves prevResult undefined when the config has none', async () => {
    const p = recorder();
    await call(p, { ...ENV, CNI_COMMAND: 'ADD' });
    expect(p.calls[0]!.prevResult).toBeUndefined();
  });
});

describe('container id and ifname validation', () => {
  const badIds = ['', '-lead', '.hidden', 'a/b', 'a b', '../x', 'é'];
  for (const id of badIds.filter(Boolean)) {
    it(`ADD refuses container id ${JSON.stringify(id)} with code 4 naming CNI_CONTAINERID`, async () => {
      const p = recorder();
      const e = errorOf(await call(p, { ...ENV, CNI_COMMAND: 'ADD', CNI_CONTAINERID: id }));
      expect(e.code).toBe(ErrorCode.InvalidEnvironment);
      expect(e.msg).toContain('CNI_CONTAINERID');
      expect(p.calls).toHaveLength(0);
    });
  }
  const badIfNames: Array<[string, string]> = [
    ['a234567890123456', 'longer than 15'],
    ['.', '"." or ".."'],
    ['..', '"." or ".."'],
    ['a/b', 'contains'],
    ['a:1', 'contains'],
    ['a b', 'contains'],
    ['a\tb', 'contains'],
  ];
  for (const [name, why] of badIfNames) {
    it(`DEL refuses ifname ${JSON.stringify(name)} with code 4 naming CNI_IFNAME`, async () => {
      const p = recorder();
      const e = errorOf(await call(p, { ...ENV, CNI_COMMAND: 'DEL', CNI_IFNAME: name }));
      expect(e.code).toBe(ErrorCode.InvalidEnvironment);
      expect(e.msg).toContain('CNI_IFNAME');
      expect(e.msg).toContain(why);
      expect(p.calls).toHaveLength(0);
    });
  }

  it('accepts a 15-character ifname and a 64-hex container id', async () => {
    const p = recorder();
    const out = await call(p, { ...ENV, CNI_COMMAND: 'ADD', CNI_IFNAME: 'a23456789012345', CNI_CONTAINERID: 'f'.repeat(64) });
    expect(out.exitCode).toBe(0);
  });

  it('GC and STATUS check ids only when a caller sends them', async () => {
    const e = errorOf(await call(recorder(), { CNI_COMMAND: 'GC', CNI_PATH: '/x', CNI_CONTAINERID: 'a/b' }));
    expect(e.msg).toContain('CNI_CONTAINERID');
    const f = errorOf(await call(recorder(), { CNI_COMMAND: 'STATUS', CNI_PATH: '/x', CNI_IFNAME: 'a/b' }));
    expect(f.msg).toContain('CNI_IFNAME');
  });
});

describe("CNI_NETNS equal to the plugin's own namespace", () => {
  const own: DispatchOptions = { isOwnNetns: (p) => p === '/proc/self/ns/net' };
  const env = { ...ENV, CNI_NETNS: '/proc/self/ns/net' };

  for (const verb of ['ADD', 'DEL']) {
    it(`${verb} is refused with code 8 before the handler`, async () => {
      const p = recorder();
      const e = errorOf(await call(p, { ...env, CNI_COMMAND: verb }, conf(), own));
      expect(e.code).toBe(ErrorCode.InvalidNetns);
      expect(e.msg).toContain('CNI_NETNS "/proc/self/ns/net"');
      expect(p.calls).toHaveLength(0);
    });
    for (const override of ['1', 'true', 'TRUE', 'True']) {
      it(`${verb} runs with CNI_NETNS_OVERRIDE=${override}`, async () => {
        const p = recorder();
        const out = await call(p, { ...env, CNI_COMMAND: verb, CNI_NETNS_OVERRIDE: override }, conf(), own);
        expect(out.exitCode).toBe(0);
        expect(p.calls).toHaveLength(1);
      });
    }
    it(`${verb} is still refused with CNI_NETNS_OVERRIDE=0`, async () => {
      const e = errorOf(await call(recorder(), { ...env, CNI_COMMAND: verb, CNI_NETNS_OVERRIDE: '0' }, conf(), own));
      expect(e.code).toBe(ErrorCode.InvalidNetns);
    });
  }

  it('CHECK (read-only) is not refused, DEL without a netns is not asked about', async () => {
    let asked = 0;
    const counting: DispatchOptions = { isOwnNetns: () => (asked++, true) };
    expect((await call(recorder(), { ...env, CNI_COMMAND: 'CHECK' }, conf(), counting)).exitCode).toBe(0);
    expect((await call(recorder(), { ...ENV, CNI_NETNS: undefined, CNI_COMMAND: 'DEL' }, conf(), counting)).exitCode).toBe(0);
    expect(asked).toBe(0);
  });

  it('the default check looks at the real namespace of this process', async () => {
    const e = errorOf(await dispatch(recorder(), { env: { ...env, CNI_COMMAND: 'ADD' }, stdin: conf() }));
    expect(e.code).toBe(ErrorCode.InvalidNetns);
    const out = await dispatch(recorder(), { env: { ...ENV, CNI_COMMAND: 'ADD', CNI_NETNS: '/nonexistent/netns' }, stdin: conf() });
    expect(out.exitCode).toBe(0);
  });
});

describe('CNI_NETNS that is not a network namespace (plugins that enter it)', () => {
  const entering = (): Plugin & { calls: CallContext[] } => Object.assign(recorder(), { entersNetns: true });
  const kinds: Record<string, NetnsKind> = {
    '/etc/hostname': { kind: 'other', what: 'it is an ordinary file' },
    '/gone': { kind: 'missing' },
    '/run/netns/c1': { kind: 'netns' },
  };
  const options: DispatchOptions = { ...notOurs, netnsKind: (p) => kinds[p]! };

  for (const verb of ['ADD', 'CHECK']) {
    it(`${verb} is refused with code 8 naming the path, before the handler`, async () => {
      for (const [path, msg] of [
        ['/etc/hostname', 'CNI_NETNS /etc/hostname is not a network namespace: it is an ordinary file'],
        ['/gone', 'CNI_NETNS /gone does not exist'],
      ]) {
        const p = entering();
        const e = errorOf(await call(p, { ...ENV, CNI_COMMAND: verb, CNI_NETNS: path }, conf(), options));
        expect([e.code, e.msg]).toEqual([ErrorCode.InvalidNetns, msg]);
        expect(p.calls).toHaveLength(0);
      }
    });
  }

  it('DEL goes on as for a gone namespace, with a message, and its delegates see no CNI_NETNS', async () => {
    const p = entering();
    const out = await call(p, { ...ENV, CNI_COMMAND: 'DEL', CNI_NETNS: '/etc/hostname' }, conf(), options);
    expect(out.exitCode).toBe(0);
    expect(p.calls[0]).toMatchObject({ netns: '', env: { CNI_NETNS: '' } });
    expect(out.stderr).toContain('CNI_NETNS /etc/hostname is not a network namespace (it is an ordinary file)');
  });

  it('a real namespace, a DEL of a gone one, and plugins that do not enter it are not touched', async () => {
    const p = entering();
    expect((await call(p, { ...ENV, CNI_COMMAND: 'ADD' }, conf(), options)).exitCode).toBe(0);
    expect((await call(p, { ...ENV, CNI_COMMAND: 'DEL', CNI_NETNS: '/gone' }, conf(), options)).exitCode).toBe(0);
    expect(p.calls.map((c) => c.netns)).toEqual(['/run/netns/c1', '/gone']);
    expect((await call(recorder(), { ...ENV, CNI_COMMAND: 'ADD', CNI_NETNS: '/etc/hostname' }, conf(), options)).exitCode).toBe(0);
  });
});

describe('GC attachments', () => {
  it('reads cni.dev/valid-attachments', async () => {
    const p = recorder();
    await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf({ 'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'eth0', extra: 1 }] }));
    expect(p.calls[0]!.validAttachments).toEqual([{ containerID: 'c1', ifname: 'eth0' }]);
  });

  it('falls back to the pre-release key cni.dev/attachments, and to none', async () => {
    const p = recorder();
    await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf({ 'cni.dev/attachments': [{ containerID: 'c2', ifname: 'net1' }] }));
    await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf());
    expect(p.calls.map((c) => c.validAttachments)).toEqual([[{ containerID: 'c2', ifname: 'net1' }], []]);
  });

  it('prefers cni.dev/valid-attachments when both keys come, as libcni sends them', async () => {
    const p = recorder();
    const valid = [{ containerID: 'c1', ifname: 'eth0' }];
    await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf({ 'cni.dev/valid-attachments': valid, 'cni.dev/attachments': [{ containerID: 'old', ifname: 'eth0' }] }));
    await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf({ 'cni.dev/valid-attachments': [], 'cni.dev/attachments': valid }));
    expect(p.calls.map((c) => c.validAttachments)).toEqual([valid, []]);
  });

  it('names the older key when that is the one that is malformed', async () => {
    const p = recorder();
    const e = errorOf(await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf({ 'cni.dev/attachments': [{ containerID: 'c' }] })));
    expect(e).toMatchObject({ code: ErrorCode.InvalidConfig, msg: '"cni.dev/attachments"[0] must have string containerID and ifname' });
    expect(p.calls).toHaveLength(0);
  });

  it('refuses a malformed list with code 7 naming the key', async () => {
    for (const bad of [{}, [null], [{ containerID: 'c' }], [{ containerID: 1, ifname: 'eth0' }]]) {
      const p = recorder();
      const e = errorOf(await call(p, { CNI_COMMAND: 'GC', CNI_PATH: '/x' }, conf({ 'cni.dev/valid-attachments': bad })));
      expect(e.code).toBe(ErrorCode.InvalidConfig);
      expect(e.msg).toContain('cni.dev/valid-attachments');
      expect(p.calls).toHaveLength(0);
    }
  });
});

describe('handler errors', () => {
  for (const verb of ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC']) {
    it(`${verb}: a CniError keeps its code, message and details`, async () => {
      const out = await call(recorder(new CniError(ErrorCode.PluginNotAvailable, 'not ready', 'why')), { ...ENV, CNI_COMMAND: verb });
      expect(errorOf(out)).toEqual({ cniVersion: '1.1.0', code: 50, msg: 'not ready', details: 'why' });
      expect(out.stderr).toBe('');
    });
  }

  it('any other Error is code 999 with its message, and no stack trace anywhere', async () => {
    const out = await call(recorder(new TypeError('boom')), { ...ENV, CNI_COMMAND: 'DEL' });
    expect(errorOf(out)).toEqual({ cniVersion: '1.1.0', code: 999, msg: 'boom' });
    expect(out.stdout).not.toContain('at ');
    expect(out.stderr).toBe('');
  });

  for (const on of ['1', 'true', 'TRUE']) {
    it(`CNI_TS_DEBUG=${on} adds the stack trace on stderr (never stdout)`, async () => {
      const out = await call(recorder(new TypeError('boom')), { ...ENV, CNI_COMMAND: 'DEL', CNI_TS_DEBUG: on });
      expect(errorOf(out)).toEqual({ cniVersion: '1.1.0', code: 999, msg: 'boom' });
      expect(out.stderr).toMatch(/TypeError: boom\n\s+at /);
    });
  }

  it('a thrown non-Error is code 999 with its text', async () => {
    const out = await call(recorder('plain string'), { ...ENV, CNI_COMMAND: 'ADD' });
    expect(errorOf(out)).toEqual({ cniVersion: '1.1.0', code: 999, msg: 'plain string' });
  });
});
