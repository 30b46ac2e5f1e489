// The one version of a build: the repository's package.json version, and, when built from a git
// checkout, the commit (with `.dirty` when tracked files differ from it) as semver build metadata:
// `0.1.0+1a2b3c4d5e6f`. Baked into every bundle (esbuild `define` in options.mjs) and named by
// the release tarballs, whose name carries the version alone (build metadata names no other
// version).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} root the repository */
export function releaseVersion(root) {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
}

const git = (root, args) => {
  const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

/** @param {string} root the repository */
export function buildVersion(root) {
  const commit = git(root, ['rev-parse', '--short=12', 'HEAD']);
  if (!commit) return releaseVersion(root);
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=no']);
  return `${releaseVersion(root)}+${commit}${dirty ? '.dirty' : ''}`;
}

/** Seconds since the epoch that every file in a release carries: SOURCE_DATE_EPOCH, else the commit's time, else 0. */
export function sourceDateEpoch(root) {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  return Number(git(root, ['log', '-1', '--format=%ct']) ?? 0);
}
