import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_BIN } from '../lib/exec.ts';
import { ADD_ENV } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnits-foundation-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stdin', () => {
  it('reads the whole config from a non-blocking stdin written in pieces, late', async () => {
    const fifo = join(dir, 'stdin');
    execFileSync('mkfifo', [fifo]);
    // A non-blocking read end, as some runtimes hand over; the writer starts only after the plugin.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const child = spawn(join(DIST_BIN, 'bridge'), [], { env: ADD_ENV, stdio: [reader, 'pipe', 'pipe'] });
    closeSync(reader);
    const stdout: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => stdout.push(b));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const writer = openSync(fifo, constants.O_WRONLY);
    await sleep(200);
    writeSync(writer, '{"cniVersion":"1.0.0","name":"cnits-stdin",');
    await sleep(200);
    // A config the dispatcher refuses only once it has read all of it: the last key is bad.
    writeSync(writer, '"type":"bridge","ipam":5}');
    closeSync(writer);
    expect(await exited).toBe(1);
    expect(JSON.parse(Buffer.concat(stdout).toString())).toEqual({ cniVersion: '1.0.0', code: 7, msg: '"ipam" must be a JSON object' });
  });
});
