import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUN, DIST_BIN } from '../lib/exec.ts';
import { exec, PLUGINS, SUPPORTED, type Run } from './run.ts';

/**
 * A plugin runs as root with the runtime's environment and working directory. Each vector below
 * tries to make the executable run code that is not ours (an `evil.js` that writes a marker file
 * and prints on stdout), read settings from the working directory, or write a file. Where stock
 * Bun honours the vector, a control executable built from stock Bun with default flags shows the
 * fixture is live, so a pass on ours means closed, not a broken fixture. docs/security.md has
 * the list and what stays open.
 */
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const VERSION_OUT = JSON.stringify({ cniVersion: '1.1.0', supportedVersions: SUPPORTED });

let root: string;
let cwd: string;
let marker: string;
let control: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cnits-foundation-sec-'));
  // The control prints what it sees of CNI_COMMAND, the one thing our VERSION answer depends on.
  writeFileSync(join(root, 'control.js'), `require('fs').writeSync(1, JSON.stringify({ cmd: process.env.CNI_COMMAND ?? null }));\n`);
  control = join(root, 'control');
  execFileSync(BUN, ['build', '--compile', `--outfile=${control}`, join(root, 'control.js')], { cwd: root, stdio: 'ignore' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeEach(() => {
  cwd = mkdtempSync(join(root, 'cwd-'));
  marker = join(cwd, 'INJECTED');
  writeFileSync(join(cwd, 'evil.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); require('fs').writeSync(1, 'INJECTED\\n');\n`);
});

const ours = (plugin: string, env: Record<string, string>, args: string[] = []): Run =>
  exec([join(DIST_BIN, plugin), ...args], { PATH, CNI_COMMAND: 'VERSION', ...env }, '', cwd);
const theirs = (env: Record<string, string>, args: string[] = []): Run => exec([control, ...args], { PATH, ...env }, '', cwd);

/** Closed: the exact VERSION answer, nothing else on stdout, and the injected code never ran. */
function expectUntouched(r: Run): void {
  expect(r.stdout).toBe(VERSION_OUT);
  expect(r.status).toBe(0);
  expect(existsSync(marker)).toBe(false);
}

describe('the working directory', () => {
  it('bunfig.toml with a preload: stock Bun runs it, ours does not', () => {
    writeFileSync(join(cwd, 'bunfig.toml'), 'preload = ["./evil.js"]\n[run]\npreload = ["./evil.js"]\n');
    theirs({});
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    for (const plugin of PLUGINS) expectUntouched(ours(plugin, {}));
  });

  for (const file of ['.env', '.env.local', '.env.production']) {
    it(`${file}: stock Bun loads it, ours does not`, () => {
      writeFileSync(join(cwd, file), 'CNI_COMMAND=VERSION\nBUN_OPTIONS=--preload=./evil.js\n');
      expect(JSON.parse(theirs({ NODE_ENV: 'production' }).stdout)).toEqual({ cmd: 'VERSION' });
      rmSync(marker, { force: true });
      // Without CNI_COMMAND in the environment ours prints the about text: the file set nothing.
      const r = exec([join(DIST_BIN, 'bridge')], { PATH, NODE_ENV: 'production' }, '', cwd);
      expect(r).toMatchObject({ status: 0, stdout: '' });
      expect(r.stderr).toMatch(/^CNI bridge plugin/);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it('tsconfig.json and package.json, hostile or broken, change nothing', () => {
    writeFileSync(join(cwd, 'tsconfig.json'), '{ "compilerOptions": { "paths": { "*": ["./evil.js"] } }, broken');
    writeFileSync(join(cwd, 'package.json'), '{ "type": "module", "main": "evil.js", "imports": { "#x": "./evil.js" }, broken');
    for (const plugin of PLUGINS) expectUntouched(ours(plugin, {}));
  });

  it('a global bunfig in HOME or XDG_CONFIG_HOME is not read', () => {
    const home = join(cwd, 'home');
    mkdirSync(join(home, '.config'), { recursive: true });
    for (const dir of [home, join(home, '.config')]) writeFileSync(join(dir, '.bunfig.toml'), `preload = [${JSON.stringify(join(cwd, 'evil.js'))}]\n`);
    expectUntouched(ours('bridge', { HOME: home, XDG_CONFIG_HOME: join(home, '.config') }));
  });
});

describe('the environment', () => {
  it('BUN_OPTIONS=--preload: stock Bun runs it, ours does not', () => {
    theirs({ BUN_OPTIONS: '--preload=./evil.js' });
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    for (const options of ['--preload=./evil.js', '--preload ./evil.js', '-r ./evil.js']) {
      for (const plugin of PLUGINS) expectUntouched(ours(plugin, { BUN_OPTIONS: options }));
    }
  });

  it('BUN_OPTIONS=--config pointing at a bunfig with a preload does nothing', () => {
    writeFileSync(join(cwd, 'other.toml'), 'preload = ["./evil.js"]\n');
    expectUntouched(ours('bridge', { BUN_OPTIONS: '--config=./other.toml' }));
  });

  it('BUN_BE_BUN=1: stock Bun becomes the bun CLI, ours stays the plugin', () => {
    expect(theirs({ BUN_BE_BUN: '1' }, ['-e', 'console.log("bun cli")']).stdout).toBe('bun cli\n');
    for (const plugin of PLUGINS) expectUntouched(ours(plugin, { BUN_BE_BUN: '1' }, ['-e', 'require("./evil.js")']));
    // cnictl is the same executable: it reads the arguments as its own and runs nothing else.
    const cnictl = ours('cnictl', { BUN_BE_BUN: '1', BUN_OPTIONS: '--preload=./evil.js' }, ['-e', 'require("./evil.js")']);
    expect(cnictl.stdout).not.toContain('INJECTED');
    expect(existsSync(marker)).toBe(false);
  });

  it('BUN_BYTECODE_ORDER_OUT: stock Bun writes the file, ours writes nothing', () => {
    const out = join(cwd, 'order.out');
    theirs({ BUN_BYTECODE_ORDER_OUT: out });
    expect(existsSync(out)).toBe(true);
    rmSync(out);
    for (const name of ['BUN_BYTECODE_ORDER_OUT', 'BUN_BYTECODE_ORDER_NAMES_OUT', 'BUN_BYTECODE_DIGEST_OUT']) {
      expectUntouched(ours('bridge', { [name]: out }));
      expect(existsSync(out), name).toBe(false);
    }
  });

  it('NODE_OPTIONS, alone or next to BUN_OPTIONS, is not honoured', () => {
    expectUntouched(ours('bridge', { NODE_OPTIONS: '--require ./evil.js' }));
    expectUntouched(ours('bridge', { NODE_OPTIONS: '--require ./evil.js', BUN_OPTIONS: '--smol' }));
    expectUntouched(ours('bridge', { NODE_OPTIONS: '--import ./evil.js' }));
  });

  it('engine options (BUN_JSC_*) may print diagnostics, on stderr only: stdout stays the answer', () => {
    const dump = ours('bridge', { BUN_JSC_dumpOptions: '1' });
    expectUntouched(dump);
    expect(dump.stderr, 'the option is honoured, so this test watches a live channel').toContain('dumpOptions');
    expectUntouched(ours('bridge', { BUN_JSC_logGC: '1', BUN_JSC_verboseOSR: '1' }));
  });

  it('the debugger variables neither preload code nor stop the run', () => {
    expectUntouched(ours('bridge', { BUN_INSPECT_PRELOAD: './evil.js' }));
    expectUntouched(ours('bridge', { BUN_INSPECT: '127.0.0.1:0', BUN_INSPECT_CONNECT_TO: 'ws://127.0.0.1:1/x' }));
  });
});

describe('arguments', () => {
  it('runtime flags given as arguments are not interpreted (runtimes pass none, but a wrapper might)', () => {
    expectUntouched(ours('bridge', {}, ['--preload', './evil.js']));
    expectUntouched(ours('bridge', {}, ['-e', 'require("./evil.js")']));
    expectUntouched(ours('bridge', {}, ['run', './evil.js']));
  });
});
