import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tar, type TarEntry } from './tar.ts';

/** The busybox-static binary the images are made of (Debian's busybox-static package). */
export const BUSYBOX = '/bin/busybox';

/** The images the lab and the tests run: a sandbox ("pause") image and a busybox image. */
export const PAUSE_IMAGE = 'localhost/cni-ts/pause:1';
export const BUSYBOX_IMAGE = 'localhost/cni-ts/busybox:1';

interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
}

const blob = (bytes: Buffer): Blob => ({ digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, bytes });
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/**
 * The one layer both images share: busybox with a symlink per applet (so `ping`, `nc`, `httpd`,
 * `sleep` are commands), a root user, and the mount points a container needs.
 */
export function busyboxLayer(busybox = BUSYBOX): Buffer {
  const listed = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`${busybox} --list failed: ${listed.stderr || listed.error?.message}`);
  // An applet named like the binary itself would replace it with a symlink loop.
  const applets = listed.stdout.split('\n').filter((a) => a && a !== 'busybox');
  const entries: TarEntry[] = [
    ...['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'www'].map((path): TarEntry => ({ kind: 'dir', path })),
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(busybox), mode: 0o755 },
    ...applets.map((a): TarEntry => ({ kind: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { kind: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') },
    { kind: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\n') },
  ];
  return tar(entries);
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** An image's config and manifest over the shared layer, with what its container runs. */
function image(layer: Blob, diffId: string, process: { Entrypoint?: string[]; Cmd?: string[] }): { config: Blob; manifest: Blob } {
  const architecture = ARCH[globalThis.process.arch] ?? globalThis.process.arch;
  const config = blob(
    json({ architecture, os: 'linux', config: { Env: ['PATH=/bin'], WorkingDir: '/', ...process }, rootfs: { type: 'layers', diff_ids: [diffId] } }),
  );
  const manifest = blob(
    json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
    }),
  );
  return { config, manifest };
}

/**
 * Both images as one OCI image layout in a tar, ready for `ctr images import`: the pause image
 * sleeps as PID 1 (it only holds the pod's namespaces), the busybox image runs a shell by default.
 * `io.containerd.image.name` gives each manifest its full name on import.
 */
export function imageArchive(busybox = BUSYBOX): Buffer {
  const layer = blob(busyboxLayer(busybox));
  const diffId = layer.digest; // uncompressed: the layer's digest is its diff ID
  const images = [
    { name: PAUSE_IMAGE, ...image(layer, diffId, { Entrypoint: ['/bin/sleep', '2147483647'] }) },
    { name: BUSYBOX_IMAGE, ...image(layer, diffId, { Cmd: ['/bin/sh'] }) },
  ];
  const index = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: images.map((i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: i.manifest.digest,
      size: i.manifest.size,
      annotations: { 'io.containerd.image.name': i.name, 'org.opencontainers.image.ref.name': i.name.split(':').pop() },
    })),
  });
  const blobs = [layer, ...images.flatMap((i) => [i.config, i.manifest])];
  return tar([
    { kind: 'file', path: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) },
    { kind: 'file', path: 'index.json', data: index },
    { kind: 'dir', path: 'blobs' },
    { kind: 'dir', path: 'blobs/sha256' },
    ...blobs.map((b): TarEntry => ({ kind: 'file', path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, data: b.bytes })),
  ]);
}
