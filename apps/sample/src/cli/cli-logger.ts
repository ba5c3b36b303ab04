import type { LoggerService } from '@nestjs/common';
import { oneLine } from './cli-output';

/**
 * Nest logger of the command-line tool: warnings and errors only, one line each, on stderr, so stdout
 * carries nothing but the command's result. Stack traces are left out (the message names the problem;
 * library messages never hold a token, code or secret). Errors of Nest's `ExceptionHandler` (a failed
 * bootstrap) are skipped: `main.ts` reports the same error once, with its exit code.
 */
export class CliLogger implements LoggerService {
  constructor(private readonly stderr: NodeJS.WritableStream = process.stderr) {}

  log(): void {}

  debug(): void {}

  verbose(): void {}

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warning', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  private write(level: 'warning' | 'error', message: unknown, rest: unknown[]): void {
    // Nest passes the context last, after an optional stack (which has spaces and line breaks).
    const last = rest[rest.length - 1];
    const context = typeof last === 'string' && /^[\w.:-]{1,64}$/.test(last) ? last : undefined;
    if (context === 'ExceptionHandler') return;
    const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
    this.stderr.write(`${level}: ${context ? `[${context}] ` : ''}${oneLine(text)}\n`);
  }
}
