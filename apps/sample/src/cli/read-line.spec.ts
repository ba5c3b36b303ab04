import { PassThrough } from 'node:stream';
import { CliFailure } from './cli-failure.error';
import { readLine } from './read-line';

const options = { maxLength: 20, timeoutMs: 1000 };

describe('readLine', () => {
  it('returns the first line without its line break, across chunks, and pauses the input', async () => {
    const input = new PassThrough();
    const line = readLine(input, options);
    input.write('https://hover');
    input.write('.to/?code=1\r\nnext line\n');
    await expect(line).resolves.toBe('https://hover.to/?code=1');
    expect(input.isPaused()).toBe(true);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('returns what arrived before EOF, or an empty string for nothing', async () => {
    const partial = new PassThrough();
    const first = readLine(partial, options);
    partial.end('abc');
    await expect(first).resolves.toBe('abc');
    const empty = new PassThrough();
    const second = readLine(empty, options);
    empty.end();
    await expect(second).resolves.toBe('');
  });

  it('refuses a line longer than maxLength before it ends, and gives up after timeoutMs', async () => {
    const long = new PassThrough();
    const tooLong = readLine(long, options);
    long.write('x'.repeat(21));
    await expect(tooLong).rejects.toThrow(new CliFailure('The answer is longer than 20 characters.'));
    jest.useFakeTimers();
    try {
      const silent = readLine(new PassThrough(), { maxLength: 20, timeoutMs: 600_000 });
      jest.advanceTimersByTime(600_000);
      await expect(silent).rejects.toThrow(/^No answer within 10 minutes/);
    } finally {
      jest.useRealTimers();
    }
  });
});
