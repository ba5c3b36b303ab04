import { TEST_ENCRYPTION_KEYS } from '../testing/hover-auth-test-fixtures';
import { Logger } from '@nestjs/common';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveHoverAuthOptions } from '../config/resolve-hover-auth-options';
import {
  HoverInvalidClientException,
  HoverInvalidGrantException,
  HoverInvalidTokenResponseException,
  HoverTokenEndpointException,
  HoverTokenEndpointTimeoutException,
  HoverTokenEndpointUnavailableException,
} from '../exceptions/hover-token-endpoint.exceptions';
import type { HoverAuthModuleOptions } from '../hover-auth-options.interface';
import { TokenEndpointClient } from './token-endpoint.client';

const CLIENT_ID = 'client-abc';
const SECRET = 'cs_live_9d8e7f-NEVER-IN-MESSAGES';
const CODE = 'authcode_4f1a2b3c-NEVER-IN-MESSAGES';
const REFRESH_TOKEN = 'rt_0a1b2c-NEVER-IN-MESSAGES';
const REDIRECT_URI = 'http://localhost:3000/hover/callback';

/** Hover's documented success body ("Generate access token"). */
const HOVER_TOKEN_BODY = {
  access_token: 'eyJhbGciOiJIUzI1NiJ9.access.sig',
  token_type: 'Bearer',
  expires_in: 7200,
  refresh_token: 'new-refresh-token',
  scope: 'all',
  created_at: 1750191095,
  owner_id: 785,
  owner_type: 'orgs',
};

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('TokenEndpointClient', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  let received: ReceivedRequest[];
  let redirectTargetHits: number;
  let logged: jest.SpyInstance[];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/elsewhere') {
          redirectTargetHits += 1;
          send(response, 200, HOVER_TOKEN_BODY);
          return;
        }
        const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) };
        received.push(entry);
        handler(entry, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  beforeEach(() => {
    received = [];
    redirectTargetHits = 0;
    handler = (_request, response) => send(response, 200, HOVER_TOKEN_BODY);
    logged = (['log', 'error', 'warn', 'debug', 'verbose'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined),
    );
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function client(overrides: Partial<HoverAuthModuleOptions> = {}): TokenEndpointClient {
    return new TokenEndpointClient(
      resolveHoverAuthOptions({ clientId: CLIENT_ID, clientSecret: SECRET, redirectUri: REDIRECT_URI, baseUrl, encryptionKeys: TEST_ENCRYPTION_KEYS, ...overrides }),
    );
  }

  function respond(status: number, body: unknown, contentType?: string): void {
    handler = (_request, response) => send(response, status, body, contentType);
  }

  async function failure(promise: Promise<unknown>): Promise<HoverTokenEndpointException> {
    const outcome = await promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
    expect(outcome.error).toBeInstanceOf(HoverTokenEndpointException);
    return outcome.error as HoverTokenEndpointException;
  }

  /** Neither the error (message, body, serialized) nor any log line may carry a secret. */
  function expectNoSecrets(error: HoverTokenEndpointException): void {
    const logText = logged.flatMap((spy) => spy.mock.calls.flat()).map(String).join('\n');
    for (const secret of [SECRET, CODE, REFRESH_TOKEN]) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(JSON.stringify(error.getResponse())).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    expect(error.cause).toBeUndefined();
  }

  describe('successful responses', () => {
    it("parses Hover's token response, making the expiry absolute at receipt", async () => {
      const before = Date.now();
      const tokens = await client().exchangeAuthorizationCode(CODE);
      const after = Date.now();
      expect(tokens.accessToken).toBe(HOVER_TOKEN_BODY.access_token);
      expect(tokens.refreshToken).toBe('new-refresh-token');
      expect(tokens.scope).toBe('all');
      expect(tokens.ownerId).toBe('785');
      expect(tokens.ownerType).toBe('orgs');
      expect(tokens.accessTokenExpiresAt).toBeGreaterThanOrEqual(before + 7200 * 1000);
      expect(tokens.accessTokenExpiresAt).toBeLessThanOrEqual(after + 7200 * 1000);
    });

    it('accepts a lowercase token_type and a string owner_id', async () => {
      respond(200, { ...HOVER_TOKEN_BODY, token_type: 'bearer', owner_id: '991' });
      const tokens = await client().refresh(REFRESH_TOKEN);
      expect(tokens.accessToken).toBe(HOVER_TOKEN_BODY.access_token);
      expect(tokens.ownerId).toBe('991');
    });

    const warnings = () => logged[2].mock.calls.map((call) => String(call[0]));

    // Under rotation Hover has already spent the old refresh token when it answers: an answer with a
    // usable access token is never refused for a field we can do without (issue: "refresh answer
    // rejected after Hover has already rotated").
    it.each<[string, Record<string, unknown>, string]>([
      ['missing', { expires_in: undefined }, 'expires_in is absent; assuming 3600 s'],
      ['null', { expires_in: null }, 'expires_in is absent; assuming 3600 s'],
      ['0', { expires_in: 0 }, 'expires_in is out of range (1-2592000 s); assuming 3600 s'],
      ['negative', { expires_in: -1 }, 'expires_in is out of range (1-2592000 s); assuming 3600 s'],
      ['1e308 (infinite in milliseconds)', { expires_in: 1e308 }, 'expires_in is out of range (1-2592000 s); assuming 3600 s'],
      ['a huge numeric string', { expires_in: '9'.repeat(400) }, 'expires_in is not a number of seconds; assuming 3600 s'],
      ['"2h"', { expires_in: '2h' }, 'expires_in is not a number of seconds; assuming 3600 s'],
      ['true', { expires_in: true }, 'expires_in is not a number of seconds; assuming 3600 s'],
      ['an object', { expires_in: { seconds: 7200 } }, 'expires_in is not a number of seconds; assuming 3600 s'],
    ])('expires_in %s → the pair is kept with a 3600 s lifetime and a warning', async (_label, fields, warning) => {
      respond(200, { ...HOVER_TOKEN_BODY, ...fields });
      const before = Date.now();
      const tokens = await client().refresh(REFRESH_TOKEN);
      const after = Date.now();
      expect([tokens.accessToken, tokens.refreshToken]).toEqual([HOVER_TOKEN_BODY.access_token, 'new-refresh-token']);
      expect(Number.isFinite(tokens.accessTokenExpiresAt)).toBe(true);
      expect(tokens.accessTokenExpiresAt - tokens.accessTokenIssuedAt).toBe(3_600_000);
      expect(tokens.accessTokenIssuedAt).toBeGreaterThanOrEqual(before);
      expect(tokens.accessTokenIssuedAt).toBeLessThanOrEqual(after);
      expect(warnings()).toEqual([`Hover's token response to the refresh_token grant: ${warning}.`]);
    });

    it.each<[string, Record<string, unknown>, Partial<Record<string, unknown>>, string]>([
      ['token_type mac', { token_type: 'mac' }, {}, 'token_type is not Bearer; the access token is sent as a bearer token anyway'],
      ['no token_type', { token_type: undefined }, {}, 'token_type is absent; the access token is sent as a bearer token anyway'],
      ['a numeric refresh_token', { refresh_token: 12345 }, { refreshToken: null }, 'refresh_token is not a usable string; the stored refresh token is kept'],
      ['a scope over 255 characters', { scope: 's'.repeat(256) }, { scope: null }, 'scope is longer than 255 characters; ignored'],
      ['an owner_id over 64 characters', { owner_id: '9'.repeat(65) }, { ownerId: null }, 'owner_id is longer than 64 characters; ignored'],
      ['an owner_type object', { owner_type: { a: 1 } }, { ownerType: null }, 'owner_type is not a string; ignored'],
    ])('%s → accepted with a warning, the field dropped', async (_label, fields, expected, warning) => {
      respond(200, { ...HOVER_TOKEN_BODY, ...fields });
      const tokens = await client().refresh(REFRESH_TOKEN);
      expect(tokens).toMatchObject({ accessToken: HOVER_TOKEN_BODY.access_token, ...expected });
      expect(warnings()).toEqual([`Hover's token response to the refresh_token grant: ${warning}.`]);
    });

    it('reads a numeric-string expires_in as seconds', async () => {
      respond(200, { ...HOVER_TOKEN_BODY, expires_in: '60' });
      const before = Date.now();
      const tokens = await client().refresh(REFRESH_TOKEN);
      const after = Date.now();
      expect(tokens.accessTokenExpiresAt).toBeGreaterThanOrEqual(before + 60_000);
      expect(tokens.accessTokenExpiresAt).toBeLessThanOrEqual(after + 60_000);
    });

    it('returns null for the optional fields Hover left out', async () => {
      respond(200, { access_token: 'only-access', token_type: 'Bearer', expires_in: 10 });
      const tokens = await client().refresh(REFRESH_TOKEN);
      expect(tokens.accessToken).toBe('only-access');
      expect(tokens.refreshToken).toBeNull();
      expect(tokens.scope).toBeNull();
      expect(tokens.ownerId).toBeNull();
      expect(tokens.ownerType).toBeNull();
    });
  });

  describe('request', () => {
    it('POSTs the authorization code grant as JSON by default', async () => {
      await client().exchangeAuthorizationCode(CODE);
      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/oauth/token');
      expect(request.headers['content-type']).toMatch(/^application\/json\b/);
      expect(request.headers.accept).toBe('application/json');
      expect(JSON.parse(request.body.toString('utf8'))).toEqual({
        grant_type: 'authorization_code',
        code: CODE,
        client_id: CLIENT_ID,
        client_secret: SECRET,
        redirect_uri: REDIRECT_URI,
      });
    });

    it('POSTs the refresh token grant with the client credentials and redirect URI', async () => {
      await client().refresh(REFRESH_TOKEN);
      expect(JSON.parse(received[0].body.toString('utf8'))).toEqual({
        grant_type: 'refresh_token',
        refresh_token: REFRESH_TOKEN,
        client_id: CLIENT_ID,
        client_secret: SECRET,
        redirect_uri: REDIRECT_URI,
      });
    });

    it("encodes the body as application/x-www-form-urlencoded with tokenRequestEncoding 'form'", async () => {
      await client({ tokenRequestEncoding: 'form' }).exchangeAuthorizationCode(CODE);
      const [request] = received;
      expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
      expect(Object.fromEntries(new URLSearchParams(request.body.toString('utf8')))).toEqual({
        grant_type: 'authorization_code',
        code: CODE,
        client_id: CLIENT_ID,
        client_secret: SECRET,
        redirect_uri: REDIRECT_URI,
      });
    });

    it("encodes the body as multipart/form-data with tokenRequestEncoding 'multipart'", async () => {
      await client({ tokenRequestEncoding: 'multipart' }).refresh(REFRESH_TOKEN);
      const [request] = received;
      const contentType = String(request.headers['content-type']);
      expect(contentType).toMatch(/^multipart\/form-data; boundary=\S+/);
      const form = await new Response(new Uint8Array(request.body), { headers: { 'Content-Type': contentType } }).formData();
      expect(Object.fromEntries(form.entries())).toEqual({
        grant_type: 'refresh_token',
        refresh_token: REFRESH_TOKEN,
        client_id: CLIENT_ID,
        client_secret: SECRET,
        redirect_uri: REDIRECT_URI,
      });
    });
  });

  describe('OAuth error responses (decided by the error code, not the status)', () => {
    it.each([400, 401])('invalid_grant with HTTP %i → HoverInvalidGrantException', async (status) => {
      respond(status, { error: 'invalid_grant', error_description: `The provided authorization grant ${CODE} is invalid` });
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverInvalidGrantException);
      expect(error.code).toBe('HOVER_INVALID_GRANT');
      expect(error.upstreamStatus).toBe(status);
      expect(error.oauthError).toBe('invalid_grant');
      expect(error.getStatus()).toBe(502);
      expectNoSecrets(error);
    });

    it('invalid_grant on a refresh → HoverInvalidGrantException without the refresh token', async () => {
      respond(401, { error: 'invalid_grant', error_description: `refresh token ${REFRESH_TOKEN} was revoked` });
      const error = await failure(client().refresh(REFRESH_TOKEN));
      expect(error).toBeInstanceOf(HoverInvalidGrantException);
      expect(error.upstreamStatus).toBe(401);
      expectNoSecrets(error);
    });

    it('invalid_client with HTTP 401 → HoverInvalidClientException, logged without the secret', async () => {
      respond(401, { error: 'invalid_client', error_description: `Client authentication failed for ${SECRET}` });
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverInvalidClientException);
      expect(error.code).toBe('HOVER_INVALID_CLIENT');
      expect(error.upstreamStatus).toBe(401);
      expect(error.oauthError).toBe('invalid_client');
      expect(error.message).toContain('Check clientId and clientSecret');
      const errorLog = jest.mocked(Logger.prototype.error).mock.calls;
      expect(errorLog).toHaveLength(1);
      expect(String(errorLog[0][0])).toContain('invalid_client, HTTP 401');
      expectNoSecrets(error);
    });

    it('another OAuth error → HOVER_TOKEN_ENDPOINT_ERROR naming the code, never the description', async () => {
      respond(400, { error: 'invalid_request', error_description: `Missing param next to code=${CODE}` });
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error.constructor).toBe(HoverTokenEndpointException);
      expect(error.code).toBe('HOVER_TOKEN_ENDPOINT_ERROR');
      expect(error.oauthError).toBe('invalid_request');
      expect(error.upstreamStatus).toBe(400);
      expect(error.message).toBe("Hover's token endpoint refused the authorization_code grant (invalid_request, HTTP 400).");
      expectNoSecrets(error);
    });

    it('does not echo an error code that is not a plain OAuth code', async () => {
      respond(400, { error: `<b>${SECRET}</b>` });
      const error = await failure(client().refresh(REFRESH_TOKEN));
      expect(error.code).toBe('HOVER_TOKEN_ENDPOINT_ERROR');
      expect(error.oauthError).toBe('unrecognized error');
      expectNoSecrets(error);
    });

    it('an OAuth error with HTTP 503 is transient', async () => {
      respond(503, { error: 'temporarily_unavailable' });
      const error = await failure(client().refresh(REFRESH_TOKEN));
      expect(error).toBeInstanceOf(HoverTokenEndpointUnavailableException);
      expect(error.upstreamStatus).toBe(503);
    });
  });

  describe('transient failures → HoverTokenEndpointUnavailableException', () => {
    it.each([
      [503, 'text/html', `<html><body>Service Unavailable ${SECRET} ${CODE}</body></html>`],
      [502, 'text/plain', ''],
      [429, 'text/plain', 'Too Many Requests'],
    ])('HTTP %i', async (status, contentType, body) => {
      respond(status, body, contentType);
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverTokenEndpointUnavailableException);
      expect(error.code).toBe('HOVER_TOKEN_ENDPOINT_UNAVAILABLE');
      expect(error.upstreamStatus).toBe(status);
      expect(error.getStatus()).toBe(503);
      expectNoSecrets(error);
    });

    it('a token endpoint that never answers, after httpTimeoutMs', async () => {
      const unanswered: ServerResponse[] = [];
      handler = (_request, response) => unanswered.push(response);
      const started = Date.now();
      const error = await failure(client({ httpTimeoutMs: 200 }).exchangeAuthorizationCode(CODE)).finally(() =>
        unanswered.forEach((response) => response.destroy()),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(error).toBeInstanceOf(HoverTokenEndpointUnavailableException);
      expect(error).toBeInstanceOf(HoverTokenEndpointTimeoutException);
      expect(error.code).toBe('HOVER_TOKEN_ENDPOINT_TIMEOUT');
      expect(error.upstreamStatus).toBeNull();
      expect(error.message).toBe("Hover's token endpoint did not answer within 200 ms.");
      expect(received).toHaveLength(1);
      expectNoSecrets(error);
    });

    it('a refused connection', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).refresh(REFRESH_TOKEN));
      expect(error).toBeInstanceOf(HoverTokenEndpointUnavailableException);
      expect(error.message).toBe("Hover's token endpoint could not be reached (ECONNREFUSED).");
      expectNoSecrets(error);
    });
  });

  describe('invalid token responses → HoverInvalidTokenResponseException', () => {
    it.each<[string, string]>([
      ['JSON null', 'null'],
      ['a JSON array', JSON.stringify([HOVER_TOKEN_BODY])],
      ['a JSON string', JSON.stringify(SECRET)],
      ['a numeric access_token', JSON.stringify({ ...HOVER_TOKEN_BODY, access_token: 12345 })],
      ['an empty access_token', JSON.stringify({ ...HOVER_TOKEN_BODY, access_token: '' })],
      ['no access_token', JSON.stringify({ ...HOVER_TOKEN_BODY, access_token: undefined })],
      ['an access_token with a newline', JSON.stringify({ ...HOVER_TOKEN_BODY, access_token: 'abc\ndef' })],
      ['an OAuth error object', JSON.stringify({ error: 'invalid_grant', error_description: 'revoked' })],
    ])('HTTP 200 with %s', async (_label, body) => {
      respond(200, body, body.startsWith('<') ? 'text/html' : 'application/json');
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverInvalidTokenResponseException);
      expect(error).not.toBeInstanceOf(SyntaxError);
      expect(error.code).toBe('HOVER_INVALID_TOKEN_RESPONSE');
      expect(error.upstreamStatus).toBe(200);
      expect(error.message).toMatch(/^Hover's token response is invalid \([a-z_, ]+\)\.$/);
      expect(error.message).not.toMatch(/Unexpected|SyntaxError|JSON/);
      expectNoSecrets(error);
    });

    it.each<[string, string, string | null]>([
      ['an HTML page', `<!doctype html><html><body>Sign in ${CODE}</body></html>`, '<!doctype html><html><body>Sign in [redacted]</body></html>'],
      ['truncated JSON', '{"access_token":"abc",', '{"access_token":"abc",'],
      ['an empty body', '', null],
    ])('HTTP 200 with %s is transient (a maintenance page), with a short redacted preview', async (_label, body, preview) => {
      respond(200, body, body.startsWith('<') ? 'text/html' : 'application/json');
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverTokenEndpointUnavailableException);
      expect(error).not.toBeInstanceOf(SyntaxError);
      expect(error.code).toBe('HOVER_TOKEN_ENDPOINT_UNAVAILABLE');
      expect(error.upstreamStatus).toBe(200);
      expect(error.message).toBe("Hover's token endpoint answered HTTP 200 with a body that is not JSON.");
      expect(error.preview).toBe(preview);
      expectNoSecrets(error);
    });

    it('ignores unknown fields, __proto__ and constructor included, without touching any prototype', async () => {
      respond(200, `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"extra":1,${JSON.stringify(HOVER_TOKEN_BODY).slice(1)}`, 'application/json');
      const tokens = await client().exchangeAuthorizationCode(CODE);
      expect(tokens.accessToken).toBe(HOVER_TOKEN_BODY.access_token);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
      expect(Object.keys(tokens).sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'accessTokenIssuedAt', 'ownerId', 'ownerType', 'refreshToken', 'scope']);
    });

    it('a 200 whose JSON carries an OAuth `error` is an invalid answer, not a refusal of the grant', async () => {
      respond(200, { ...HOVER_TOKEN_BODY, error: 'invalid_grant' });
      const error = await failure(client().refresh(REFRESH_TOKEN));
      expect(error).toBeInstanceOf(HoverInvalidTokenResponseException);
      expect(error).not.toBeInstanceOf(HoverInvalidGrantException);
      expect(error.message).toBe("Hover's token response is invalid (error).");
    });

    it('refuses an answer over 64 KiB without buffering it whole', async () => {
      respond(200, JSON.stringify({ ...HOVER_TOKEN_BODY, padding: 'x'.repeat(70 * 1024) }), 'application/json');
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverInvalidTokenResponseException);
      expect(error.message).toBe("Hover's token endpoint answer exceeded 65536 bytes.");
      expectNoSecrets(error);
    });

    it('names the offending field', async () => {
      respond(200, { ...HOVER_TOKEN_BODY, access_token: 42 });
      const error = await failure(client().refresh(REFRESH_TOKEN));
      expect(error.message).toBe("Hover's token response is invalid (access_token).");
    });

    it('HTTP 404 without an OAuth error', async () => {
      respond(404, 'Not Found', 'text/plain');
      const error = await failure(client().refresh(REFRESH_TOKEN));
      expect(error).toBeInstanceOf(HoverInvalidTokenResponseException);
      expect(error.upstreamStatus).toBe(404);
    });

    it('does not follow a 302 redirect', async () => {
      handler = (_request, response) => {
        response.writeHead(302, { Location: `${baseUrl}/elsewhere` });
        response.end();
      };
      const error = await failure(client().exchangeAuthorizationCode(CODE));
      expect(error).toBeInstanceOf(HoverInvalidTokenResponseException);
      expect(error.upstreamStatus).toBe(302);
      expect(received).toHaveLength(1);
      expect(redirectTargetHits).toBe(0);
      expectNoSecrets(error);
    });
  });
});
