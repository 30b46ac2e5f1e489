import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUSYBOX_IMAGE, imageArchive, PAUSE_IMAGE } from './images.ts';
import { tar } from './tar.ts';

const dir = mkdtempSync(join(tmpdir(), 'cni-ts-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Unpack with GNU tar, which checks every header's checksum. */
function untar(bytes: Buffer, name: string): string {
  const file = join(dir, `${name}.tar`);
  const out = join(dir, name);
  writeFileSync(file, bytes);
  spawnSync('mkdir', ['-p', out]);
  const r = spawnSync('tar', ['-xf', file, '-C', out], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return out;
}

describe('ustar writer', () => {
  it('writes directories, files with their modes and symlinks that GNU tar unpacks as such', () => {
    const out = untar(
      tar([
        { kind: 'dir', path: 'd' },
        { kind: 'file', path: 'd/x', data: Buffer.from('hello\n'), mode: 0o755 },
        { kind: 'symlink', path: 'd/y', target: 'x' },
      ]),
      'small',
    );
    expect(readFileSync(join(out, 'd/x'), 'utf8')).toBe('hello\n');
    expect(statSync(join(out, 'd/x')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(out, 'd/y'))).toBe('x');
  });

  it('refuses a name ustar cannot hold', () => {
    expect(() => tar([{ kind: 'dir', path: 'a'.repeat(101) }])).toThrow(/too long/);
  });
});

describe('the pause and busybox images', () => {
  const out = untar(imageArchive(), 'layout');
  const blob = (digest: string) => JSON.parse(readFileSync(join(out, 'blobs/sha256', digest.slice(7)), 'utf8'));
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));

  it('is an OCI layout naming both images for containerd', () => {
    expect(JSON.parse(readFileSync(join(out, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['io.containerd.image.name'])).toEqual([PAUSE_IMAGE, BUSYBOX_IMAGE]);
  });

  it('gives each image one busybox layer whose digest is its diff ID, and a command', () => {
    const [pause, busybox] = index.manifests.map((m: { digest: string }) => blob(m.digest));
    expect(pause.layers).toEqual(busybox.layers);
    const layerDigest = pause.layers[0].digest;
    const rootfs = untar(readFileSync(join(out, 'blobs/sha256', layerDigest.slice(7))), 'layer');
    expect(readlinkSync(join(rootfs, 'bin/httpd'))).toBe('busybox');
    expect(readlinkSync(join(rootfs, 'bin/ping'))).toBe('busybox');
    expect(statSync(join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777);
    const [pauseConfig, busyboxConfig] = [pause, busybox].map((m) => blob(m.config.digest));
    expect(pauseConfig.rootfs).toEqual({ type: 'layers', diff_ids: [layerDigest] });
    expect(pauseConfig.config.Entrypoint).toEqual(['/bin/sleep', '2147483647']);
    expect(busyboxConfig.config.Cmd).toEqual(['/bin/sh']);
  });
});
