import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicTempPrefix, isAtomicTemp, readFileNoFollow, writeFileAtomic, writeFileNoFollow } from './fs.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fs-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the content and leaves only the target', () => {
    writeFileAtomic(join(dir, 'f'), 'one');
    writeFileAtomic(join(dir, 'f'), 'two');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['f']);
  });

  it('removes its temp file when the rename fails', () => {
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'inside'), '');
    expect(() => writeFileAtomic(join(dir, 'target'), 'x')).toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
  });

  it('replaces a symlink at the target itself, never the file it points to', () => {
    writeFileSync(join(dir, 'victim'), 'keep');
    symlinkSync(join(dir, 'victim'), join(dir, 'f'));
    writeFileAtomic(join(dir, 'f'), 'new');
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('keep');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('new');
  });

  it('names its temps so that their owner can find them', () => {
    const name = `${atomicTempPrefix('c1:eth0')}123-abc`;
    expect(isAtomicTemp(name)).toBe(true);
    expect(isAtomicTemp('c1:eth0')).toBe(false);
  });
});

describe('no-follow reads and writes', () => {
  it('refuse a symlink with ELOOP and leave its target alone', () => {
    writeFileSync(join(dir, 'victim'), 'secret');
    symlinkSync(join(dir, 'victim'), join(dir, 'link'));
    expect(() => readFileNoFollow(join(dir, 'link'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => writeFileNoFollow(join(dir, 'link'), 'x')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('secret');
  });

  it('read and write plain files, appending when asked', () => {
    writeFileNoFollow(join(dir, 'f'), 'a');
    writeFileNoFollow(join(dir, 'f'), 'b', { append: true });
    expect(readFileNoFollow(join(dir, 'f'))).toBe('ab');
    writeFileNoFollow(join(dir, 'f'), 'c');
    expect(readFileNoFollow(join(dir, 'f'))).toBe('c');
  });
});
