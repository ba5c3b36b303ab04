import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';

/** Options of {@link readLine}. */
export interface ReadLineOptions {
  /** Longest line accepted, in characters; a longer one is refused before its end arrives. */
  maxLength: number;
  /** How long to wait for the line, in **milliseconds**. */
  timeoutMs: number;
}

/**
 * Reads one line from `input` (the operator's answer): the text before the first line break, or all of
 * it when the input ends without one. Stops reading afterwards (the stream is paused, so the process
 * can exit).
 * @returns the line without its line break; `''` when the input ended empty (EOF, e.g. Ctrl-D)
 * @throws {CliFailure} exit 1 when the line exceeds `maxLength` or nothing arrives within `timeoutMs`
 */
export function readLine(input: NodeJS.ReadableStream, { maxLength, timeoutMs }: ReadLineOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
      outcome();
    };
    const onData = (chunk: string | Buffer) => {
      buffered += chunk.toString();
      const end = buffered.search(/\r?\n/);
      if (end >= 0) finish(() => resolve(buffered.slice(0, end)));
      else if (buffered.length > maxLength) finish(() => reject(new CliFailure(`The answer is longer than ${maxLength} characters.`)));
    };
    const onEnd = () => finish(() => resolve(buffered));
    const onError = (error: Error) => finish(() => reject(error));
    const timer = setTimeout(
      () => finish(() => reject(new CliFailure(`No answer within ${Math.round(timeoutMs / 60_000)} minutes: the authorization has expired, run connect again.`, CLI_EXIT_CODES.FAILED))),
      timeoutMs,
    );
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}
