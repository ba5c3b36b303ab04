import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** What `GET /__count` of the stand-in answers. */
export interface StandInCounts {
  /** API calls answered 200. */
  api: number;
  /** API calls refused for want of a bearer header. */
  unauthorized: number;
  /** Token endpoint requests received. */
  token: number;
  /** Epoch milliseconds of the last (up to 100) token endpoint requests. */
  tokenAt: number[];
}

/** The stand-in Hover (`bench/stand-in-hover.ts`) in a child process, driven over HTTP. */
export class StandInHoverProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** e.g. `http://127.0.0.1:40123`: pass it as hover-auth's `baseUrl`. */
    readonly baseUrl: string,
  ) {}

  /** Starts it on a free port of 127.0.0.1 and resolves once it listens. */
  static start(env: { tokenDelayMs?: number; expiresInSeconds?: number } = {}): Promise<StandInHoverProcess> {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'stand-in-hover.ts')], {
      env: {
        ...process.env,
        STAND_IN_PORT: '0',
        STAND_IN_TOKEN_DELAY_MS: String(env.tokenDelayMs ?? 0),
        STAND_IN_EXPIRES_IN: String(env.expiresInSeconds ?? 7200),
      },
      // stdin stays open as a lifeline: the child exits when it closes (also if this process dies).
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      let output = '';
      const onExit = (code: number | null) => reject(new Error(`stand-in Hover exited before it was ready (${code})`));
      child.once('exit', onExit);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/stand-in ready at (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) {
          child.off('exit', onExit);
          resolve(new StandInHoverProcess(child, match[1]));
        }
      });
    });
  }

  /** Sets the token endpoint's answer delay (milliseconds) and/or the `expires_in` it issues (seconds). */
  async configure(update: { tokenDelayMs?: number; expiresInSeconds?: number }): Promise<void> {
    const response = await fetch(`${this.baseUrl}/__config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
    if (!response.ok) throw new Error(`stand-in /__config answered ${response.status}`);
  }

  async counts(): Promise<StandInCounts> {
    return (await (await fetch(`${this.baseUrl}/__count`)).json()) as StandInCounts;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin?.end();
      this.child.kill('SIGTERM');
    });
  }
}
