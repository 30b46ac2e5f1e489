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
