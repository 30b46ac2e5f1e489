import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin as EsbuildPlugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/exec.ts';
import { PLUGINS } from './run.ts';

/**
 * The multi-call executable must evaluate only the invoked program's code, and costly built-ins
 * (node:crypto, node:child_process) only when used. A probe build with the shipped esbuild options records which
 * package entry points are evaluated and which built-ins are required, then runs under node
 * with argv0 set to each program's name, as a hard link of that name would.
 */
interface BuildOptions {
  esbuildOptions: Record<string, unknown> & { plugins: EsbuildPlugin[] };
  multicallEntry: string;
}
let options: BuildOptions;
const dir = mkdtempSync(join(tmpdir(), 'cnits-foundation-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Records into globalThis.__evaluated; printed on stderr at exit.
const BANNER = `const __M = require('node:module');
const __req = __M.prototype.require;
__M.prototype.require = function (id) {
  const name = id.replace(/^node:/, '');
  if (name === 'crypto' || name === 'child_process') (globalThis.__evaluated ??= []).push('node:' + name);
  return __req.apply(this, arguments);
};
process.on('exit', () => require('node:fs').writeSync(2, '\\nEVALUATED ' + JSON.stringify(globalThis.__evaluated ?? []) + '\\n'));`;

const PACKAGE_ENTRY = /\/(packages|tools)\/([^/]+)\/src\/index\.ts$/;
/** cnictl's CRI client, which brings grpc-js and protobufjs: recorded as "cri". */
const CRI_CLIENT = /\/tools\/cnictl\/src\/cri\/client\.ts$/;
const recorded = (args: { path: string }, name: string) => ({
  loader: 'ts' as const,
  resolveDir: join(args.path, '..'),
  contents: `(globalThis.__evaluated ??= []).push(${JSON.stringify(name)});\n${readFileSync(args.path, 'utf8')}`,
});
const recordEntries: EsbuildPlugin = {
  name: 'record-entries',
  setup(b) {
    b.onLoad({ filter: PACKAGE_ENTRY }, (args) => recorded(args, PACKAGE_ENTRY.exec(args.path)![2]!));
    b.onLoad({ filter: CRI_CLIENT }, (args) => recorded(args, 'cri'));
  },
};

async function probe(entry: string, out: string): Promise<string> {
  const outfile = join(dir, out);
  await build({ ...options.esbuildOptions, plugins: [recordEntries, ...options.esbuildOptions.plugins], banner: { js: BANNER }, entryPoints: [entry], outfile });
  return outfile;
}

function evaluated(bundle: string, argv0: string, env: Record<string, string>, stdin = '', args: string[] = []): string[] {
  const r = spawnSync(process.execPath, [bundle, ...args], { argv0, env: { PATH: process.env.PATH, ...env }, input: stdin, encoding: 'utf8' });
  const line = /\nEVALUATED (.*)\n$/.exec(r.stderr);
  expect(line, r.stderr).not.toBeNull();
  return JSON.parse(line![1]!) as string[];
}

let multicall: string;
beforeAll(async () => {
  options = (await import(join(REPO_ROOT, 'tools/build/options.mjs'))) as BuildOptions;
  multicall = await probe(options.multicallEntry, 'multicall.cjs');
});

const ADD = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: '/nonexistent' };

describe('the multi-call executable loads only the invoked program', () => {
  for (const plugin of PLUGINS) {
    it(`${plugin}: VERSION and a refused ADD evaluate core, linux helpers and ${plugin} only, no node:crypto or node:child_process`, () => {
      const others = [...PLUGINS.filter((p) => p !== plugin), 'cnictl'];
      for (const seen of [evaluated(multicall, plugin, { CNI_COMMAND: 'VERSION' }), evaluated(multicall, plugin, ADD, '{')]) {
        expect(seen).toContain('core');
        expect(seen).toContain(plugin);
        for (const other of others) expect(seen).not.toContain(other);
        expect(seen).not.toContain('node:crypto');
        expect(seen).not.toContain('node:child_process');
        expect(seen).not.toContain('cri');
      }
    });
  }

  it('the probe sees a program that is loaded: cnictl as cnictl', () => {
    expect(evaluated(multicall, 'cnictl', {}, '', ['--help'])).toContain('cnictl');
  });

  it('cnictl loads its CRI client (grpc-js) only for a containerd lab', () => {
    expect(evaluated(multicall, 'cnictl', {}, '', ['--help'])).not.toContain('cri');
    expect(evaluated(multicall, 'cnictl', {}, '', ['lab', 'down', '--state-dir', join(dir, 'no-lab')])).not.toContain('cri');
    const stateDir = join(dir, 'containerd-lab');
    mkdirSync(stateDir);
    const state = { runtime: 'containerd', plan: { prefix: 'x', nodes: [] }, stateDir, daemons: [], netns: [], pods: [] };
    writeFileSync(join(stateDir, 'lab.json'), JSON.stringify(state));
    expect(evaluated(multicall, 'cnictl', {}, '', ['lab', 'down', '--state-dir', stateDir])).toContain('cri');
  });
});

describe('lazy built-ins', () => {
  it('named, namespace and default imports work, and load the built-in on first use only', async () => {
    const entry = join(dir, 'uses-crypto.ts');
    writeFileSync(
      entry,
      `import { createHash } from 'node:crypto';
import * as ns from 'crypto';
import def from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
const before = [...((globalThis as any).__evaluated ?? [])];
const digest = createHash('sha256').update('x').digest('hex');
const echoed = spawnSync('echo', ['hi'], { encoding: 'utf8' }).stdout;
writeSync(1, JSON.stringify({ before, digest, ns: ns.randomBytes(4).length, def: typeof def.createHash, has: 'createHash' in ns, echoed }));
`,
    );
    const bundle = await probe(entry, 'uses-crypto.cjs');
    const r = spawnSync(process.execPath, [bundle], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({
      before: [],
      digest: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
      ns: 4,
      def: 'function',
      has: true,
      echoed: 'hi\n',
    });
    expect(r.stderr).toMatch(/EVALUATED \["node:crypto","node:child_process"\]/);
  });
});
