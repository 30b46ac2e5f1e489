// A release tarball and its checksum files, reproducible: the same files give the same bytes.
// Entries in the order given, every file owned by root:root and dated `epoch`, no directory
// entries (the reference's layout: `tar -C /opt/cni/bin -xzf` puts the plugins in place), the
// executable's other names stored as hard links to it. gzip -9 without name or time in its header
// (README.md says why gzip and not xz).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

/** @param {{ stage: string, names: string[], epoch: number, outfile: string }} o */
export async function writeTarball({ stage, names, epoch, outfile }) {
  const partial = `${outfile}.partial`;
  const fd = openSync(partial, 'w', 0o644);
  try {
    const tar = spawn(
      'tar',
      ['--create', '--format=ustar', '--owner=root:0', '--group=root:0', `--mtime=@${epoch}`, '--no-recursion', '--file=-', '-C', stage, '--', ...names],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const gzip = spawn('gzip', ['-9', '--no-name'], { stdio: [tar.stdout, fd, 'inherit'] });
    const [tarStatus, gzipStatus] = await Promise.all([exitOf(tar), exitOf(gzip)]);
    if (tarStatus !== 0 || gzipStatus !== 0) throw new Error(`writing ${outfile}: tar exited ${tarStatus}, gzip ${gzipStatus}`);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, outfile);
}

const exitOf = (child) => new Promise((resolve, reject) => child.on('error', reject).on('exit', resolve));

/** `<file>.sha256` and `<file>.sha512`, each one line as sha256sum/sha512sum print it. */
export function writeChecksums(file) {
  const bytes = readFileSync(file);
  for (const algorithm of ['sha256', 'sha512']) {
    writeFileSync(`${file}.${algorithm}`, `${createHash(algorithm).update(bytes).digest('hex')}  ${basename(file)}\n`, { mode: 0o644 });
  }
}
