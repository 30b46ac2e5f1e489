import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../spec/errors.ts';
import { findPlugin, isSameFile } from './find.ts';

const dir = mkdtempSync(join(tmpdir(), 'cni-ts-find-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const a = join(dir, 'a');
const b = join(dir, 'b');
for (const d of [a, b]) mkdirSync(d);
writeFileSync(join(a, 'plain'), 'not executable');
writeFileSync(join(b, 'plain'), '#!/bin/sh\n');
chmodSync(join(b, 'plain'), 0o755);
mkdirSync(join(a, 'adir'));
chmodSync(join(a, 'adir'), 0o755);
writeFileSync(join(b, 'adir'), '#!/bin/sh\n');
chmodSync(join(b, 'adir'), 0o755);

describe('findPlugin', () => {
  it('takes the first executable file in CNI_PATH order, skipping non-executables and directories', () => {
    expect(findPlugin('plain', [a, b])).toBe(join(b, 'plain'));
    expect(findPlugin('adir', [a, b])).toBe(join(b, 'adir'));
  });

  it('says where it looked when the plugin is missing (code 4)', () => {
    expect(() => findPlugin('nope', [a, b])).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidEnvironment, message: expect.stringContaining(`failed to find plugin "nope" in CNI_PATH [${a}:${b}]`) }));
    expect(() => findPlugin('plain', [])).toThrowError(/in CNI_PATH \[\]/);
  });

  it('refuses a type that is a path (code 7)', () => {
    for (const bad of ['../plain', '/bin/sh', '.', '..']) {
      expect(() => findPlugin(bad, [b])).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidConfig }));
    }
  });
});

describe('isSameFile', () => {
  it('is true for hard links and symlinks of one file, false otherwise', () => {
    linkSync(join(b, 'plain'), join(dir, 'hard'));
    symlinkSync(join(b, 'plain'), join(dir, 'soft'));
    expect(isSameFile(join(b, 'plain'), join(dir, 'hard'))).toBe(true);
    expect(isSameFile(join(b, 'plain'), join(dir, 'soft'))).toBe(true);
    expect(isSameFile(join(b, 'plain'), join(a, 'plain'))).toBe(false);
    expect(isSameFile(join(b, 'plain'), join(dir, 'missing'))).toBe(false);
  });
});
