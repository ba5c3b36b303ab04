import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';

/**
 * A Nest logger that keeps every line at every level (debug and verbose included), with any error
 * objects and stacks rendered the way a console logger would, so tests can scan for leaked secrets.
 */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];

  log(message: unknown, ...rest: unknown[]): void { this.push('log', message, rest); }
  error(message: unknown, ...rest: unknown[]): void { this.push('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]): void { this.push('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]): void { this.push('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]): void { this.push('verbose', message, rest); }
  fatal(message: unknown, ...rest: unknown[]): void { this.push('fatal', message, rest); }

  /** Everything captured, as one text. */
  get text(): string {
    return this.lines.join('\n');
  }

  private push(level: string, message: unknown, rest: unknown[]): void {
    const render = (value: unknown) => (typeof value === 'string' ? value : inspect(value, { depth: 6 }));
    this.lines.push(`${level} ${[message, ...rest].map(render).join(' ')}`);
  }
}
