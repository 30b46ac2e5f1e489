import { describe, expect, it } from 'vitest';
import { FakeInvoker } from '../testing/fake-invoker.ts';
import { TimingInvoker } from './timing.ts';

describe('TimingInvoker', () => {
  it('reports each call, failed ones too, and passes the output through', async () => {
    const seen: string[] = [];
    const inner = new FakeInvoker((c) => (c.type === 'bad' ? { exitCode: 1 } : { stdout: '{}' }));
    const timed = new TimingInvoker(inner, (type, verb, ms) => seen.push(`${type} ${verb} ${ms >= 0}`));
    expect(await timed.invoke('bridge', { command: 'ADD', path: [] }, '{}')).toEqual({ stdout: '{}', exitCode: 0 });
    expect((await timed.invoke('bad', { command: 'DEL', path: [] }, '{}')).exitCode).toBe(1);
    expect(seen).toEqual(['bridge ADD true', 'bad DEL true']);
    expect(timed.locate('x', ['/p'])).toBe('/p/x');
  });
});
