// The Bun runtime of an architecture, of exactly the compiler's version (the executable's embedded
// bytecode is specific to it). The host's comes from node_modules (npm ci installed it); the
// other is an optionalDependency npm does not install on this machine, so it is fetched with
// `npm pack` (the registry, or npm's cache) and accepted only when its tarball's sha512 is the
// integrity package-lock.json records for it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { architectures, bunBinary, root } from './options.mjs';

const compilerVersion = () => execFileSync(bunBinary, ['--version'], { encoding: 'utf8' }).trim();
const versionOf = (packageDir) => JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;

/**
 * Path of `arch`'s Bun binary; `work` is a private directory for a fetched package.
 * @param {keyof typeof architectures} arch
 * @param {string} work
 */
export function runtimeFor(arch, work) {
  const name = architectures[arch].runtimePackage;
  const want = compilerVersion();
  const installed = join(root, 'node_modules', name);
  const packageDir = existsSync(join(installed, 'package.json')) ? installed : fetchPackage(name, want, work);
  const got = versionOf(packageDir);
  if (got !== want) throw new Error(`${name} is ${got}, the compiler is Bun ${want}: set both runtime packages in package.json to ${want}`);
  return join(packageDir, 'bin', 'bun');
}

function fetchPackage(name, version, work) {
  const locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages?.[`node_modules/${name}`];
  if (!locked?.integrity) throw new Error(`package-lock.json records no ${name}: add it with npm install --save-optional ${name}@${version}`);
  if (locked.version !== version) throw new Error(`package-lock.json has ${name}@${locked.version}, the compiler is Bun ${version}`);
  const dir = join(work, name.replace('/', '+'));
  mkdirSync(dir, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', `${name}@${version}`, '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const tarball = join(dir, packed.filename);
  const [algorithm] = locked.integrity.split('-', 1);
  const actual = `${algorithm}-${createHash(algorithm).update(readFileSync(tarball)).digest('base64')}`;
  if (actual !== locked.integrity) throw new Error(`${tarball} is ${actual}, package-lock.json says ${locked.integrity}: refusing it`);
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  return join(dir, 'package');
}
