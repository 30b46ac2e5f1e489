import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { join } from 'node:path';
import { DIST_BIN, REPO_ROOT } from '../lib/exec.ts';

export const PLUGINS = ['bridge', 'host-local', 'portmap', 'flannel', 'loopback'] as const;
export const SUPPORTED = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
/** The version the build baked in (tools/build/version.mjs), e.g. 0.1.0+1a2b3c4d5e6f. */
export const BUILT_AS = ((await import(join(REPO_ROOT, 'tools/build/version.mjs'))) as { buildVersion: (root: string) => string }).buildVersion(REPO_ROOT);
/** The first line a plugin prints without CNI_COMMAND. */
export const aboutLine = (plugin: string): string => `CNI ${plugin} plugin (cni-ts) v${BUILT_AS}`;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** How a plugin is started: the standalone executable, or its bundle under node. */
export interface Launcher {
  label: string;
  argv: (plugin: string) => [string, ...string[]];
}
export const STANDALONE: Launcher = { label: 'dist/bin', argv: (p) => [join(DIST_BIN, p)] };
export const NODE_BUNDLE: Launcher = { label: 'dist/js under node', argv: (p) => [process.execPath, join(REPO_ROOT, 'dist/js', `${p}.cjs`)] };

/** Exec with exactly this environment (nothing inherited) and this stdin, in `cwd`. */
export function exec(argv: [string, ...string[]], env: Record<string, string | undefined>, stdin = '', cwd?: string): Run {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const r = spawnSync(argv[0], argv.slice(1), { env: clean, input: stdin, cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A complete, valid ADD environment for a call the dispatcher will look at. */
export const ADD_ENV = {
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'cnits-foundation-1',
  CNI_NETNS: '/run/netns/cnits-foundation-absent',
  CNI_IFNAME: 'eth0',
  CNI_PATH: DIST_BIN,
};

export const config = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ cniVersion: '1.1.0', name: 'cnits-foundation', type: 'bridge', ...extra });

/** Calls the dispatcher refuses before any plugin code runs, with the code and the words that name the fault. */
export const BAD_INPUT: Array<{ what: string; env?: Record<string, string | undefined>; stdin?: string; code: number; msg: RegExp }> = [
  { what: 'malformed JSON on stdin', stdin: '{"cniVersion":', code: 6, msg: /error parsing network configuration from stdin/ },
  { what: 'empty stdin', stdin: '', code: 6, msg: /error parsing network configuration from stdin/ },
  { what: 'a JSON list on stdin', stdin: '[1]', code: 6, msg: /network configuration on stdin must be a JSON object/ },
  { what: 'missing CNI_NETNS', env: { CNI_NETNS: undefined }, code: 4, msg: /required env variables \[CNI_NETNS\] missing/ },
  { what: 'missing CNI_CONTAINERID and CNI_PATH', env: { CNI_CONTAINERID: undefined, CNI_PATH: undefined }, code: 4, msg: /\[CNI_CONTAINERID,CNI_PATH\] missing/ },
  { what: 'a bad container id', env: { CNI_CONTAINERID: '../escape' }, code: 4, msg: /invalid CNI_CONTAINERID "..\/escape"/ },
  { what: 'an ifname of 16 characters', env: { CNI_IFNAME: 'a'.repeat(16) }, code: 4, msg: /invalid CNI_IFNAME "a{16}": is longer than 15 characters/ },
  { what: 'an ifname with a slash', env: { CNI_IFNAME: 'eth/0' }, code: 4, msg: /invalid CNI_IFNAME "eth\/0"/ },
  { what: 'a network name that escapes a directory', stdin: config({ name: '../../etc' }), code: 7, msg: /invalid network name "..\/..\/etc"/ },
  { what: 'no network name', stdin: config({ name: undefined }), code: 7, msg: /missing network name/ },
  { what: 'an unsupported cniVersion', stdin: config({ cniVersion: '2.0.0' }), code: 1, msg: /cniVersion "2.0.0" is not supported/ },
  { what: 'CHECK at 0.3.1', env: { CNI_COMMAND: 'CHECK' }, stdin: config({ cniVersion: '0.3.1' }), code: 1, msg: /does not allow CHECK: cniVersion is "0.3.1"/ },
  { what: 'GC at 1.0.0', env: { CNI_COMMAND: 'GC' }, stdin: config({ cniVersion: '1.0.0' }), code: 1, msg: /does not allow GC: cniVersion is "1.0.0"/ },
  { what: 'STATUS at 1.0.0', env: { CNI_COMMAND: 'STATUS' }, stdin: config({ cniVersion: '1.0.0' }), code: 1, msg: /does not allow STATUS: cniVersion is "1.0.0"/ },
  { what: 'an unknown CNI_COMMAND', env: { CNI_COMMAND: 'UPDATE' }, code: 4, msg: /unknown CNI_COMMAND: UPDATE/ },
  { what: "ADD into the plugin's own netns", env: { CNI_NETNS: '/proc/self/ns/net' }, code: 8, msg: /CNI_NETNS "\/proc\/self\/ns\/net" is the plugin's own network namespace/ },
  { what: "DEL in the plugin's own netns", env: { CNI_COMMAND: 'DEL', CNI_NETNS: '/proc/self/ns/net' }, code: 8, msg: /plugin's own network namespace/ },
];

/**
 * The spec's error shape: stdout is exactly one JSON object with a numeric code and a message,
 * no stack trace anywhere on stdout, a non-zero exit.
 */
export function parseError(r: Run): { code: number; msg: string } {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const text = r.stdout.trim();
  expect(text.startsWith('{') && text.endsWith('}')).toBe(true);
  const err = JSON.parse(text) as { code: number; msg: string };
  expect(typeof err.code).toBe('number');
  expect(typeof err.msg).toBe('string');
  expect(r.stdout).not.toMatch(/\n\s+at /);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return err;
}
