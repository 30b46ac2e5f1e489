import { linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingPluginFix, missingSourceText, shippedPlugins } from './shipped.ts';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('shipped plugins and the fix for a missing one', () => {
  it('knows the plugins as the hard links of the build executable', () => {
    dir = mkdtempSync(join(tmpdir(), 'ctsop-shipped-'));
    writeFileSync(join(dir, 'cni-ts'), 'x');
    for (const n of ['cnictl', 'bridge', 'loopback']) linkSync(join(dir, 'cni-ts'), join(dir, n));
    writeFileSync(join(dir, 'README'), 'not a link');
    expect(shippedPlugins(dir)).toEqual(['bridge', 'loopback']);
    expect(shippedPlugins(join(dir, 'nowhere'))).toEqual([]);
  });

  it('installs ours, suggests the name meant for a typo, and sends others to their project', () => {
    const shipped = ['bridge', 'host-local', 'loopback'];
    expect(missingPluginFix('loopback', ['/opt/cni/bin'], shipped)).toBe('install it: cnictl install --dir /opt/cni/bin loopback');
    expect(missingPluginFix('brige', ['/x'], shipped)).toMatch(/did you mean "bridge"\? Fix "type"/);
    const tuning = missingPluginFix('tuning', ['/x', '/y'], shipped);
    expect(tuning).toMatch(/"tuning" is not a cni-ts plugin: install it into \/x from the project that provides it/);
    expect(tuning).not.toMatch(/cnictl install|<dir>/);
    // loopback is not ours in a build without it
    expect(missingPluginFix('loopback', ['/x'], ['bridge'])).toMatch(/not a cni-ts plugin/);
  });

  it('install: a typo is named, a name not ours lists what ships, "build first" only when nothing is built', () => {
    expect(missingSourceText('brdge', '/d', ['bridge', 'portmap'])).toBe('no executable "brdge" in /d: did you mean "bridge"?');
    expect(missingSourceText('tuning', '/d', ['bridge', 'portmap'])).toBe('no executable "tuning" in /d: this build ships bridge, portmap');
    expect(missingSourceText('bridge', '/d', [])).toMatch(/build first with npm run build/);
  });
});
