import { describe, expect, it } from 'vitest';
import { runProcess, SpawnError, startProcess } from './spawn.ts';

// vitest runs under Node, so these exercise the node:child_process path; the Bun.spawn path runs
// in the compiled executables and is exercised by every e2e suite that drives dist/bin.
describe('runProcess', () => {
  it('feeds stdin and collects stdout, stderr and the exit code', async () => {
    const r = await runProcess(['sh', '-c', 'cat; echo oops >&2; exit 3'], 'hello');
    expect(r).toEqual({ stdout: 'hello', stderr: 'oops\n', code: 3 });
  });

  it('passes the given environment only', async () => {
    const r = await runProcess(['/bin/sh', '-c', 'echo "$A:${HOME:-none}"'], '', { env: { A: 'x' } });
    expect(r.stdout).toBe('x:none\n');
  });

  it('reports death by a signal as 128 + its number', async () => {
    const r = await runProcess(['sh', '-c', 'kill -9 $$'], '');
    expect(r.code).toBe(137);
  });

  it('rejects with SpawnError naming the file when it cannot start', async () => {
    const err = await runProcess(['/nonexistent/cmd'], '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpawnError);
    expect((err as SpawnError).code).toBe('ENOENT');
    expect((err as SpawnError).message).toContain('/nonexistent/cmd');
  });

  it('refuses an empty command', () => {
    expect(() => startProcess([])).toThrow(SpawnError);
  });

  it('starts the child before its input is sent', async () => {
    const child = startProcess(['sh', '-c', 'echo started; cat']);
    const r = await child.finish('later');
    expect(r.stdout).toBe('started\nlater');
  });

  it('survives a child that exits without reading a large stdin', async () => {
    const r = await runProcess(['true'], 'x'.repeat(1 << 20));
    expect(r.code).toBe(0);
  });
});
