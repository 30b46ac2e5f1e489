import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../run.ts';
import { IpBatch, IpBatchError, runIpBatch, startIpBatch } from './batch.ts';

describe('IpBatch', () => {
  it('sends every command to one ip -batch process, in the namespace given by path', async () => {
    const runner = new RecordingRunner();
    const b = new IpBatch().add('link', 'set', 'dev', 'eth0', 'up').add('addr', 'add', '10.0.0.2/24', 'dev', 'eth0');
    await runIpBatch(runner, '/run/netns/pod', b);
    expect(runner.calls).toEqual([
      { argv: ['nsenter', '--net=/run/netns/pod', '--', 'ip', '-batch', '-'], input: 'link set dev eth0 up\naddr add 10.0.0.2/24 dev eth0\n' },
    ]);
  });

  it('quotes arguments the batch parser would split', () => {
    expect(new IpBatch().add('link', 'set', 'dev', 'a b', 'alias', 'say "hi"').text()).toBe('link set dev "a b" alias "say \\"hi\\""\n');
  });

  it('names the failing command and recognises EEXIST', async () => {
    const runner = new RecordingRunner(() => ({ code: 1, stderr: 'RTNETLINK answers: File exists\nCommand failed -:2\n' }));
    const b = new IpBatch().add('link', 'set', 'lo', 'up').add('link', 'add', 'br0', 'type', 'bridge');
    const err = await runIpBatch(runner, '', b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpBatchError);
    expect((err as IpBatchError).line).toBe(1);
    expect((err as IpBatchError).exists).toBe(true);
    expect((err as IpBatchError).message).toBe('ip link add br0 type bridge: RTNETLINK answers: File exists');
    expect(runner.calls[0]!.argv).toEqual(['ip', '-batch', '-']);
  });

  it('does not spawn for an empty batch', async () => {
    const runner = new RecordingRunner();
    await runIpBatch(runner, '', new IpBatch());
    expect(runner.calls).toHaveLength(0);
  });

  it('startIpBatch with a runner that cannot start early runs the batch when it is sent, and nothing on cancel', async () => {
    const runner = new RecordingRunner();
    const started = await startIpBatch(runner, '/run/netns/pod');
    expect(runner.calls).toHaveLength(0);
    await started.send(new IpBatch().add('link', 'set', 'dev', 'eth0', 'up'));
    expect(runner.calls).toEqual([{ argv: ['nsenter', '--net=/run/netns/pod', '--', 'ip', '-batch', '-'], input: 'link set dev eth0 up\n' }]);
    const cancelled = await startIpBatch(runner, '/run/netns/pod');
    cancelled.cancel();
    expect(runner.calls).toHaveLength(1);
  });
});
