import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_BIN } from '../lib/exec.ts';
import { ADD_ENV } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnits-foundation-stdio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stdin and stdout as a runtime may hand them over', () => {
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

  it('writes a large answer whole to a non-blocking stdout whose reader is slow', async () => {
    const fifo = join(dir, 'stdout');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    // The refusal names the network name, so a 200 KB name makes a 200 KB answer: past a pipe's 64 KB.
    const name = `a${'b'.repeat(200_000)}/`;
    const child = spawn(join(DIST_BIN, 'bridge'), [], { env: ADD_ENV, stdio: ['pipe', writer, 'ignore'] });
    closeSync(writer);
    child.stdin!.end(JSON.stringify({ cniVersion: '1.0.0', name, type: 'bridge' }));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await sleep(300);
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65536);
    for (;;) {
      let n = 0;
      try {
        n = readSync(reader, buf);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await sleep(5);
        continue;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    closeSync(reader);
    expect(await exited).toBe(1);
    const answer = JSON.parse(Buffer.concat(chunks).toString()) as { code: number; msg: string };
    expect(answer.code).toBe(7);
    expect(answer.msg).toContain(name);
  });
});
