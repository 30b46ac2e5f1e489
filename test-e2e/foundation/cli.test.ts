import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_BIN, REPO_ROOT } from '../lib/exec.ts';
import { aboutLine, ADD_ENV, BAD_INPUT, BUILT_AS, config, exec, NODE_BUNDLE, parseError, PLUGINS, STANDALONE, SUPPORTED } from './run.ts';

for (const launcher of [STANDALONE, NODE_BUNDLE]) {
  describe(`${launcher.label}`, () => {
    for (const plugin of PLUGINS) {
      describe(plugin, () => {
        it('answers VERSION with every supported version, reading no stdin', () => {
          const r = exec(launcher.argv(plugin), { CNI_COMMAND: 'VERSION' });
          expect(r).toMatchObject({ status: 0, stderr: '' });
          expect(JSON.parse(r.stdout)).toEqual({ cniVersion: '1.1.0', supportedVersions: SUPPORTED });
        });

        it('without CNI_COMMAND prints the about text on stderr, nothing on stdout, exit 0', () => {
          const r = exec(launcher.argv(plugin), { PATH: ADD_ENV.PATH });
          expect(r).toEqual({ status: 0, stdout: '', stderr: `${aboutLine(plugin)}\nCNI protocol versions supported: ${SUPPORTED.join(', ')}\n` });
        });

        for (const c of BAD_INPUT) {
          it(`${c.what}: one JSON error, code ${c.code}, naming the fault`, () => {
            const r = exec(launcher.argv(plugin), { ...ADD_ENV, ...c.env }, c.stdin ?? config({ type: plugin }));
            const err = parseError(r);
            expect(err.code).toBe(c.code);
            expect(err.msg).toMatch(c.msg);
            expect(r.stderr).toBe('');
          });
        }
      });
    }
  });
}

describe('the standalone executable and the node bundle answer alike', () => {
  // The JSON parser's own words differ between the two engines; everything else is the same.
  const normalised = (stdout: string): string => stdout.replace(/(from stdin: )[^"]*/, '$1<parser message>');

  it('the same stdout for every bad input', () => {
    for (const plugin of PLUGINS) {
      for (const c of BAD_INPUT) {
        const env = { ...ADD_ENV, ...c.env };
        const stdin = c.stdin ?? config({ type: plugin });
        const standalone = normalised(exec(STANDALONE.argv(plugin), env, stdin).stdout);
        expect(standalone, `${plugin}: ${c.what}`).toBe(normalised(exec(NODE_BUNDLE.argv(plugin), env, stdin).stdout));
      }
    }
  });
});

describe('the multi-call executable dispatches on the name it is invoked by', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnits-foundation-names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(DIST_BIN, 'cni-ts');
  const link = (name: string): string => {
    const path = join(dir, name);
    try {
      linkSync(exe, path);
    } catch {
      copyFileSync(exe, path); // another filesystem: a copy is the same program under that name
    }
    return path;
  };
  const about = (path: string): string => exec([path], { PATH: ADD_ENV.PATH }).stderr.split('\n')[0]!;

  it('a symlink named after a plugin runs that plugin', () => {
    symlinkSync(exe, join(dir, 'portmap'));
    expect(about(join(dir, 'portmap'))).toBe(aboutLine('portmap'));
  });

  it('a hard link (or copy) named after another plugin runs that plugin', () => {
    expect(about(link('host-local'))).toBe(aboutLine('host-local'));
    const r = exec([join(dir, 'host-local')], { CNI_COMMAND: 'VERSION' });
    expect(JSON.parse(r.stdout).supportedVersions).toEqual(SUPPORTED);
  });

  it('each dist/bin name runs its own plugin', () => {
    for (const plugin of PLUGINS) expect(about(join(DIST_BIN, plugin))).toBe(aboutLine(plugin));
  });

  it('every dist/bin name is a hard link of dist/bin/cni-ts, so that delegates run in-process', () => {
    // A build output restored as separate copies (turbo's cache does that) makes flannel exec bridge.
    const inode = statSync(join(DIST_BIN, 'cni-ts')).ino;
    for (const plugin of PLUGINS) expect({ plugin, ino: statSync(join(DIST_BIN, plugin)).ino }).toEqual({ plugin, ino: inode });
  });

  it('an unknown name says how to invoke it: words for a person, a CNI error for a runtime', () => {
    const unknown = link('cni-ts-unknown');
    const person = exec([unknown], { PATH: ADD_ENV.PATH });
    expect(person).toMatchObject({ status: 1, stdout: '' });
    expect(person.stderr).toMatch(/invoked as "cni-ts-unknown"; invoke me as one of bridge, host-local, portmap, flannel, loopback, cnictl/);
    const runtime = exec([unknown], { ...ADD_ENV }, config());
    expect(parseError(runtime)).toMatchObject({ code: 999, msg: expect.stringContaining('invoked as "cni-ts-unknown"') });
    const bare = exec([exe], { CNI_COMMAND: 'VERSION' });
    expect(parseError(bare).msg).toContain('invoked as "cni-ts"');
  });
});

describe('the version', () => {
  it('cnictl version names the version the plugins were built as', () => {
    const r = exec([join(DIST_BIN, 'cnictl'), 'version'], { PATH: ADD_ENV.PATH });
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^cnictl ${BUILT_AS.replace(/[.+]/g, '\\$&')} \\(cni-ts\\); CNI versions `));
  });

  it('is package.json version, plus the commit when built from a git checkout', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const commit = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' });
    if (commit.status !== 0) expect(BUILT_AS).toBe(pkg.version);
    else expect(BUILT_AS).toMatch(new RegExp(`^${pkg.version.replace(/\./g, '\\.')}\\+${commit.stdout.trim()}(\\.dirty)?$`));
  });
});
