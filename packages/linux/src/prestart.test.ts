import { describe, expect, it } from 'vitest';
import { PrestartRunner } from './prestart.ts';
import { RecordingRunner, SpawnRunner } from './run.ts';

describe('PrestartRunner', () => {
  it('hands the prestarted process its input at the first run() of the same argv', async () => {
    const runner = new PrestartRunner(new SpawnRunner()).prestart(['sh', '-c', 'echo pid=$$; cat']);
    const first = await runner.run(['sh', '-c', 'echo pid=$$; cat'], { input: 'late input' });
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/^pid=\d+\nlate input$/);
    // The second run of that argv is a new process, not the prestarted one again.
    const second = await runner.run(['sh', '-c', 'echo pid=$$; cat'], { input: 'x' });
    expect(second.stdout.split('\n')[0]).not.toBe(first.stdout.split('\n')[0]);
  });

  it('runs other commands as usual', async () => {
    const runner = new PrestartRunner(new SpawnRunner()).prestart(['cat']);
    expect((await runner.run(['echo', 'hi'])).stdout).toBe('hi\n');
    await runner.release();
  });

  it('release() ends an unused prestarted command with empty input', async () => {
    const runner = new PrestartRunner(new SpawnRunner()).prestart(['sh', '-c', 'cat > /dev/null; echo done']);
    await runner.release();
    // Released: a later run of the argv starts afresh.
    expect((await runner.run(['sh', '-c', 'cat > /dev/null; echo done'])).stdout).toBe('done\n');
  });

  it('does nothing ahead of time with a runner that cannot start commands', async () => {
    const inner = new RecordingRunner();
    const runner = new PrestartRunner(inner).prestart(['iptables-restore', '--noflush']);
    expect(inner.calls).toEqual([]);
    await runner.run(['iptables-restore', '--noflush'], { input: '*nat\nCOMMIT\n' });
    expect(inner.calls).toEqual([{ argv: ['iptables-restore', '--noflush'], input: '*nat\nCOMMIT\n' }]);
    await runner.release();
  });
});
