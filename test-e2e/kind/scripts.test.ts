import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../podman/lib/sh.ts';
import { flannelManifest, KIND_DIR, scripts } from './lib/files.ts';

describe('kind scripts', () => {
  it('are the four the recipe uses', () => {
    expect(scripts().sort()).toEqual(['build-image.sh', 'flannel-manifest.sh', 'install-docker-cp.sh', 'run.sh']);
  });

  it.each(scripts())('%s parses (bash -n) and passes shellcheck', (script) => {
    const syntax = run(['bash', '-n', join(KIND_DIR, script)]);
    expect(syntax.code, syntax.stderr).toBe(0);
    const lint = run(['shellcheck', '--external-sources', '--severity=style', join(KIND_DIR, script)]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  });

  it('flannel-manifest.sh drops exactly the installer init container with --without-installer', () => {
    const full = flannelManifest(true);
    const stripped = flannelManifest(false);
    expect(full).toContain('image: cni-ts-install:dev');
    expect(stripped).not.toContain('cni-ts-install');
    expect(stripped).toContain('name: install-cni\n');
    const removed = full.split('\n').filter((line) => !stripped.split('\n').includes(line));
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((line) => /install-cni-plugin|cni-ts|cnictl|imagePullPolicy|volumeMounts|cni-plugin|mountPath: \/host\/opt\/cni\/bin/.test(line))).toBe(true);
  });

  it('flannel-manifest.sh refuses an unknown option with a usage message', () => {
    const r = run(['bash', join(KIND_DIR, 'flannel-manifest.sh'), '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage:/);
  });
});
