import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/exec.ts';
import { ARCHITECTURES, ELF_MACHINE, elfMachine, extract, PROGRAMS, RELEASE_DIR, RELEASE_SCRIPT, TARBALL_ENTRIES, tarballOf, VERSION } from './lib.ts';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const epoch = (): number => {
  const commitTime = spawnSync('git', ['-C', REPO_ROOT, 'log', '-1', '--format=%ct'], { encoding: 'utf8' });
  return commitTime.status === 0 ? Number(commitTime.stdout.trim()) : 0;
};

const head = (path: string, bytes: number): Buffer => {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(bytes);
    readSync(fd, b, 0, bytes, 0);
    return b;
  } finally {
    closeSync(fd);
  }
};

describe.each(ARCHITECTURES)('the linux-%s release', (arch) => {
  const tarball = tarballOf(arch);

  it(`is cni-ts-linux-${arch}-v<version>.tgz with checksum files sha256sum -c and sha512sum -c accept`, () => {
    expect(basename(tarball)).toBe(`cni-ts-linux-${arch}-v${VERSION}.tgz`);
    for (const sum of ['sha256sum', 'sha512sum']) {
      const ext = sum.replace('sum', '');
      const line = readFileSync(`${tarball}.${ext}`, 'utf8');
      expect(line).toMatch(new RegExp(`^[0-9a-f]{${ext === 'sha256' ? 64 : 128}}  ${basename(tarball).replace(/\./g, '\\.')}\n$`));
      const check = spawnSync(sum, ['-c', basename(`${tarball}.${ext}`)], { cwd: RELEASE_DIR, encoding: 'utf8' });
      expect(check.stdout).toBe(`${basename(tarball)}: OK\n`);
      expect(check.status).toBe(0);
    }
  });

  it('holds the executable, a hard link of it under every program name, README.md, LICENSE and NOTICE: root:root, one fixed time', () => {
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', tarball], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
      .trim()
      .split('\n');
    expect(listing.map((l) => l.split(/\s+/)[5])).toEqual(TARBALL_ENTRIES);
    expect(TARBALL_ENTRIES).toEqual(['cni-ts', ...PROGRAMS, 'README.md', 'LICENSE', 'NOTICE']);
    const when = new Date(epoch() * 1000).toISOString().replace('T', ' ').slice(0, 19);
    for (const line of listing) {
      const [mode, owner, , day, time, name] = line.split(/\s+/);
      expect(owner, name).toBe('0/0');
      expect(`${day} ${time}`, name).toBe(when);
      if (PROGRAMS.includes(name!)) expect(line, name).toMatch(new RegExp(`^hrwxr-xr-x .* ${name} link to cni-ts$`));
      else expect(mode, name).toBe(name === 'cni-ts' ? '-rwxr-xr-x' : '-rw-r--r--');
    }
    const names = execFileSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
    expect(names.split('\n')[0]).toMatch(/^-rwxr-xr-x root\/root /);
  });

  it(`is built for ${arch}, and its documents are the repository's`, () => {
    const dir = extract(tarball);
    temps.push(dir);
    expect(elfMachine(head(join(dir, 'cni-ts'), 64))).toBe(ELF_MACHINE(arch));
    for (const doc of ['README.md', 'LICENSE', 'NOTICE']) expect(readFileSync(join(dir, doc), 'utf8')).toBe(readFileSync(join(REPO_ROOT, doc), 'utf8'));
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
  });
});

it('NOTICE names every npm package the executable bundles', () => {
  const bundle = readFileSync(join(REPO_ROOT, 'dist/js/cni-ts.cjs'), 'utf8');
  const bundled = new Set([...bundle.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]!));
  const notice = readFileSync(join(REPO_ROOT, 'NOTICE'), 'utf8');
  for (const name of bundled) expect(notice, name).toMatch(new RegExp(`(^|[\\s,])${name.replace(/[.]/g, '\\.')}([\\s,]|$)`, 'm'));
});

it('a second release from the same tree is the same bytes', () => {
  const again = mkdtempSync(join(tmpdir(), 'cni-ts-release-again-'));
  temps.push(again);
  execFileSync(process.execPath, [RELEASE_SCRIPT, '--out', again], { stdio: ['ignore', 'ignore', 'inherit'] });
  const files = readdirSync(again).sort();
  expect(files).toEqual(ARCHITECTURES.flatMap((a) => [basename(tarballOf(a)), `${basename(tarballOf(a))}.sha256`, `${basename(tarballOf(a))}.sha512`]).sort());
  for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(RELEASE_DIR, f))), f).toBe(true);
}, 600_000);
