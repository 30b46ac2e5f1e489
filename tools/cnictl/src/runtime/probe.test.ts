import { describe, expect, it } from 'vitest';
import { FakeInvoker } from '../testing/fake-invoker.ts';
import { probeVersions } from './probe.ts';

describe('probeVersions', () => {
  it('sends VERSION with the wanted version and returns supportedVersions', async () => {
    const fake = new FakeInvoker(() => ({ stdout: '{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0"]}' }));
    expect(await probeVersions(fake, 'bridge', ['/p'], '1.0.0')).toEqual(['0.4.0', '1.0.0']);
    expect(fake.calls[0]).toEqual({ type: 'bridge', env: { command: 'VERSION', path: ['/p'] }, config: { cniVersion: '1.0.0' } });
  });

  it('takes a plugin that does not know VERSION for a 0.1.0 plugin', async () => {
    const fake = new FakeInvoker(() => ({ exitCode: 1, stdout: '{"code":4,"msg":"unknown CNI_COMMAND: VERSION"}' }));
    expect(await probeVersions(fake, 'old', [], '0.1.0')).toEqual(['0.1.0']);
  });

  it('explains other failures', async () => {
    await expect(probeVersions(new FakeInvoker(() => ({ exitCode: 2, stdout: 'segfault' })), 'x', [], '1.0.0')).rejects.toThrow('VERSION failed (exit 2): segfault');
    await expect(probeVersions(new FakeInvoker(() => ({ stdout: '{}' })), 'x', [], '1.0.0')).rejects.toThrow(/without a supportedVersions list/);
  });
});
