import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../run.ts';
import { canEnterNetns } from './enter.ts';
import { NetnsRunner } from './ns-runner.ts';

// Under Node (where vitest runs) there is no bun:ffi: NetnsRunner must hand every command,
// nsenter included, to the inner runner unchanged. The setns path runs in the Bun executables
// and is exercised by the e2e suites (test-e2e/bridge), which check the work lands in the pod.
describe('NetnsRunner without FFI', () => {
  it('reports setns as unavailable', async () => {
    expect(await canEnterNetns()).toBe(false);
  });

  it('passes nsenter commands through to the inner runner', async () => {
    const inner = new RecordingRunner(() => ({ stdout: 'ok' }));
    const r = await new NetnsRunner(inner).run(['nsenter', '--net=/run/netns/p', '--', 'ip', '-batch', '-'], { input: 'link set lo up\n' });
    expect(r.stdout).toBe('ok');
    expect(inner.calls).toEqual([{ argv: ['nsenter', '--net=/run/netns/p', '--', 'ip', '-batch', '-'], input: 'link set lo up\n' }]);
  });
});
