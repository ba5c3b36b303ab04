/**
 * A minimal stand-in for Hover, run in its own process by the API benchmark (`bench/api-bench.ts`) so
 * that the server is never the bottleneck and the client under test keeps a core to itself. Raw
 * `node:http`, no framework, everything precomputed: the point is to cost as little as possible.
 *
 * Routes (127.0.0.1, port from `STAND_IN_PORT`, default 0 = a free one; prints `stand-in ready at <url>`):
 * - `GET /api/v3/jobs/10001`: a small job JSON; 401 with an empty body (as Doorkeeper answers) when no
 *   `Authorization: Bearer …` header is present. Any bearer token is accepted.
 * - `POST /oauth/token`: refresh grant only (JSON or form body with `grant_type=refresh_token` and a
 *   `refresh_token`); answers `{access_token, refresh_token, token_type, expires_in, created_at}` with
 *   new random tokens after `tokenDelayMs`; anything else is 400 `invalid_grant` / `unsupported_grant_type`.
 * - `GET /__count`: `{ api, unauthorized, token, tokenAt }` (tokenAt: epoch ms of each token request, last 100).
 * - `POST /__config`: JSON `{ tokenDelayMs?, expiresInSeconds? }`; answers the config in effect.
 *
 * Exits when its stdin closes (the parent died or stopped it) or on SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const config = {
  /** Delay before the token endpoint answers, in milliseconds. */
  tokenDelayMs: Number(process.env.STAND_IN_TOKEN_DELAY_MS ?? 0),
  /** `expires_in` of issued access tokens, in seconds (Hover: 7200). */
  expiresInSeconds: Number(process.env.STAND_IN_EXPIRES_IN ?? 7200),
};
const counts = { api: 0, unauthorized: 0, token: 0, tokenAt: [] as number[] };

const JSON_TYPE = 'application/json; charset=utf-8';
const JOB = Buffer.from(
  JSON.stringify({
    id: 10001,
    name: '12 Bench Street',
    state: 'complete',
    customer_name: 'Bench Customer',
    location_line_1: '12 Bench Street',
    location_city: 'Springfield',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
  }),
);
const JOB_HEADERS = { 'content-type': JSON_TYPE, 'content-length': String(JOB.length) };
const UNAUTHORIZED_HEADERS = {
  'www-authenticate': 'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"',
  'content-length': '0',
};

/** A token shaped like Hover's: about as long as its JWT access tokens (~250 characters). */
const token = (bytes: number) => randomBytes(bytes).toString('base64url');

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(text.length), ...headers });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The token request's fields from a JSON or form-urlencoded body (what hover-auth sends). */
function fields(contentType: string | undefined, body: string): Record<string, unknown> {
  try {
    if (contentType?.startsWith('application/json')) return JSON.parse(body) as Record<string, unknown>;
    return Object.fromEntries(new URLSearchParams(body));
  } catch {
    return {};
  }
}

async function tokenEndpoint(request: IncomingMessage, response: ServerResponse): Promise<void> {
  counts.token++;
  counts.tokenAt.push(Date.now());
  if (counts.tokenAt.length > 100) counts.tokenAt.shift();
  const grant = fields(request.headers['content-type'], await readBody(request));
  if (grant.grant_type !== 'refresh_token') {
    sendJson(response, 400, { error: 'unsupported_grant_type' }, { 'cache-control': 'no-store' });
    return;
  }
  if (typeof grant.refresh_token !== 'string' || grant.refresh_token === '') {
    sendJson(response, 400, { error: 'invalid_grant' }, { 'cache-control': 'no-store' });
    return;
  }
  if (config.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.tokenDelayMs));
  sendJson(
    response,
    200,
    {
      access_token: token(186),
      refresh_token: token(32),
      token_type: 'bearer',
      expires_in: config.expiresInSeconds,
      created_at: Math.floor(Date.now() / 1000),
    },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}

async function control(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const update = fields('application/json', await readBody(request));
  if (typeof update.tokenDelayMs === 'number') config.tokenDelayMs = update.tokenDelayMs;
  if (typeof update.expiresInSeconds === 'number') config.expiresInSeconds = update.expiresInSeconds;
  sendJson(response, 200, config);
}

const server = createServer((request, response) => {
  const { method, url } = request;
  if (method === 'GET' && url === '/api/v3/jobs/10001') {
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ') || authorization.length <= 7) {
      counts.unauthorized++;
      response.writeHead(401, UNAUTHORIZED_HEADERS);
      response.end();
      return;
    }
    counts.api++;
    response.writeHead(200, JOB_HEADERS);
    response.end(JOB);
    return;
  }
  if (method === 'POST' && url === '/oauth/token') {
    tokenEndpoint(request, response).catch(() => response.destroy());
    return;
  }
  if (method === 'GET' && url === '/__count') {
    sendJson(response, 200, counts);
    return;
  }
  if (method === 'POST' && url === '/__config') {
    control(request, response).catch(() => response.destroy());
    return;
  }
  sendJson(response, 404, { error: 'not_found' });
});
// Longer than the clients' keep-alive idle time, so a pooled socket is never closed under a request.
server.keepAliveTimeout = 65_000;

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

server.listen(Number(process.env.STAND_IN_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`stand-in ready at http://127.0.0.1:${port}\n`);
});
