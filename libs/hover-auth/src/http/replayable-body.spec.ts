import type { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { resolveHoverAuthOptions } from '../config/resolve-hover-auth-options';
import { HoverRequestNotReplayedException } from '../exceptions/hover-api.exception';
import { TEST_ENCRYPTION_KEYS } from '../testing/hover-auth-test-fixtures';
import type { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { HoverAxiosHooks } from './hover-axios-hooks';
import type { HoverIntegrationsMonitor } from './hover-integrations-monitor';
import { HoverHttpClient } from './hover-http-client';
import { isReplayableBody } from './replayable-body';

/**
 * Issue 8, kind 1: a body that cannot be sent twice. A real HTTP server answers the first request 401
 * (the access token expired at Hover) and records every body it receives, byte for byte.
 */
describe('request bodies on the retry after a 401', () => {
  let server: Server;
  let bodies: Buffer[];
  let client: HoverHttpClient;
  let recover: jest.Mock;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        const fresh = request.headers.authorization === 'Bearer at-fresh';
        response.writeHead(fresh ? 200 : 401, { 'content-type': 'application/json' });
        response.end(fresh ? JSON.stringify({ received: Buffer.concat(chunks).length }) : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const options = resolveHoverAuthOptions({
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://localhost:3000/hover/callback',
      baseUrl,
      encryptionKeys: TEST_ENCRYPTION_KEYS,
    });
    recover = jest.fn(async () => 'at-fresh');
    const tokens = {
      peekAccessToken: () => 'at-expired',
      canPeekAccessToken: () => true,
      recoverFromUnauthorized: recover,
      isFreshTokenRejected: () => false,
      noteFreshTokenRejected: () => 1000,
      noteApiSuccess: () => undefined,
    } as unknown as HoverTokenManager;
    const http = { axiosRef: axios.create() } as unknown as HttpService;
    new HoverAxiosHooks(http, tokens, options, { noteUse: () => undefined, noteForbidden: () => undefined } as unknown as HoverIntegrationsMonitor).onModuleInit();
    client = new HoverHttpClient(http, 'acct');
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    bodies = [];
    recover.mockClear();
  });

  const chunks = () => [Buffer.from('{"job":{"name":'), Buffer.from('"137 Maple Ave"}}')];

  it.each<[string, () => unknown]>([
    ['a Node Readable', () => Readable.from(chunks())],
    ['a Readable in object mode holding buffers', () => new Readable({ read() { this.push(chunks()[0]); this.push(null); } })],
  ])('%s is sent once, the token is renewed, and the caller gets HOVER_REQUEST_NOT_REPLAYED (no silent empty retry)', async (_label, body) => {
    const failure = await client.postData('/v3/jobs', body()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HoverRequestNotReplayedException);
    expect((failure as HoverRequestNotReplayedException).getResponse()).toEqual({
      statusCode: 503,
      code: 'HOVER_REQUEST_NOT_REPLAYED',
      message: 'Hover answered 401 to POST /v3/jobs and its body (a stream) cannot be sent twice, so it was not retried. The access token has been renewed: send the request again.',
      method: 'POST',
      path: '/v3/jobs',
    });
    expect(recover).toHaveBeenCalledTimes(1);
    expect(bodies).toHaveLength(1); // nothing was sent a second time
  });

  const form = () => {
    const data = new FormData();
    data.append('name', '137 Maple Ave');
    data.append('photo', new Blob([Buffer.from([0, 1, 2, 250, 251, 252])]), 'roof.jpg');
    return data;
  };

  it.each<[string, () => unknown]>([
    ['a Buffer', () => Buffer.from([0, 1, 2, 3, 255])],
    ['a string', () => 'plain text body'],
    ['a plain object', () => ({ job: { name: '137 Maple Ave', tags: ['roof'] } })],
    ['URLSearchParams', () => new URLSearchParams({ name: '137 Maple Ave', state: 'complete' })],
    ['a Uint8Array', () => new Uint8Array([9, 8, 7])],
    ['FormData built from buffers', form],
  ])('%s is replayed exactly: the retry carries the same bytes and succeeds', async (_label, body) => {
    const answer = await client.postData('/v3/jobs', body());
    expect(bodies).toHaveLength(2);
    expect(bodies[0].length).toBeGreaterThan(0);
    // A multipart body gets a new boundary per send (its first line); everything else must be identical.
    const normalize = (bytes: Buffer) => {
      const text = bytes.toString('latin1');
      const boundary = text.startsWith('--') ? text.slice(2, text.indexOf('\r\n')) : null;
      return boundary ? text.split(boundary).join('BOUNDARY') : text;
    };
    expect(normalize(bodies[1])).toBe(normalize(bodies[0]));
    expect(answer).toEqual({ received: bodies[1].length });
    expect(recover).toHaveBeenCalledTimes(1);
  });

  it('isReplayableBody: unknown objects and FormData holding a non-Blob entry are not replayable', () => {
    expect(isReplayableBody({ pipe: () => undefined })).toBe(false);
    expect(isReplayableBody(new Map())).toBe(false);
    expect(isReplayableBody(undefined)).toBe(true);
  });
});
