import { createServer } from 'node:net';
import { DEFAULT_EMULATOR_CLIENT, HoverEmulator, startHoverEmulator, type RunningHoverEmulator } from '../index';
import { postToken, request } from '../testing/emulator-spec.helpers';

const CLIENT = {
  clientId: 'my-app-test',
  clientSecret: 'my-app-test-secret',
  redirectUris: ['http://127.0.0.1:3999/hover/callback'],
  name: 'My App',
};

/** Clicks Allow for CLIENT straight at the emulator and returns the code from the redirect. */
async function codeFor(baseUrl: string): Promise<string> {
  const allow = await request(`${baseUrl}/oauth/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ response_type: 'code', client_id: CLIENT.clientId, redirect_uri: CLIENT.redirectUris[0], state: 's', decision: 'allow' }),
  });
  expect(allow.status).toBe(302);
  return new URL(allow.headers.get('location') as string).searchParams.get('code') as string;
}

describe('startHoverEmulator', () => {
  let running: RunningHoverEmulator | undefined;

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('starts on 127.0.0.1 on a free port and registers the client: a code exchange succeeds for it', async () => {
    running = await startHoverEmulator({ client: CLIENT });
    expect(running.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.emulator).toBeInstanceOf(HoverEmulator);
    expect(running.emulator.baseUrl).toBe(running.baseUrl);
    expect(running.client).toEqual(CLIENT);

    const consent = await request(
      `${running.baseUrl}/oauth/authorize?response_type=code&client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent(CLIENT.redirectUris[0])}`,
    );
    expect(consent.text).toContain('Authorize My App to use your Hover account?');

    const token = await postToken(running.baseUrl, {
      grant_type: 'authorization_code',
      code: await codeFor(running.baseUrl),
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      redirect_uri: CLIENT.redirectUris[0],
    });
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({ token_type: 'Bearer', expires_in: 7200, scope: 'all', owner_id: 1, owner_type: 'orgs' });
    expect(running.emulator.tokenRequestCount('authorization_code')).toBe(1);
  });

  it('a wrong secret for the registered client is invalid_client (the client really is that one)', async () => {
    running = await startHoverEmulator({ client: CLIENT });
    const token = await postToken(running.baseUrl, {
      grant_type: 'authorization_code',
      code: await codeFor(running.baseUrl),
      client_id: CLIENT.clientId,
      client_secret: 'not-the-secret',
      redirect_uri: CLIENT.redirectUris[0],
    });
    expect(token.status).toBe(401);
    expect(token.json.error).toBe('invalid_client');
  });

  it('passes constructor options through (lifetime in seconds) and reports the default client without one', async () => {
    running = await startHoverEmulator({ accessTokenTtlSeconds: 60 });
    expect(running.client).toEqual(DEFAULT_EMULATOR_CLIENT);
    expect(running.client).not.toBe(DEFAULT_EMULATOR_CLIENT);
    const code = (
      await request(`${running.baseUrl}/oauth/authorize`, {
        method: 'POST',
        body: new URLSearchParams({ response_type: 'code', client_id: DEFAULT_EMULATOR_CLIENT.clientId, redirect_uri: DEFAULT_EMULATOR_CLIENT.redirectUris[0], decision: 'allow' }),
      })
    ).headers.get('location') as string;
    const token = await postToken(running.baseUrl, {
      grant_type: 'authorization_code',
      code: new URL(code).searchParams.get('code') as string,
      client_id: DEFAULT_EMULATOR_CLIENT.clientId,
      client_secret: DEFAULT_EMULATOR_CLIENT.clientSecret,
      redirect_uri: DEFAULT_EMULATOR_CLIENT.redirectUris[0],
    });
    expect(token.json.expires_in).toBe(60);
  });

  it('with seedDefaults: false and no client, client is null and the demo client is unknown', async () => {
    running = await startHoverEmulator({ seedDefaults: false });
    expect(running.client).toBeNull();
    const page = await request(`${running.baseUrl}/oauth/authorize?response_type=code&client_id=${DEFAULT_EMULATOR_CLIENT.clientId}`);
    expect(page.status).toBe(401);
  });

  it('listens on the requested port', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    running = await startHoverEmulator({ port });
    expect(running.baseUrl).toBe(`http://127.0.0.1:${port}`);
  });

  it('stop() closes the server and is idempotent', async () => {
    const started = await startHoverEmulator();
    await started.stop();
    await started.stop();
    await expect(fetch(`${started.baseUrl}/__emulator/faults`)).rejects.toThrow('fetch failed');
    expect(() => started.emulator.baseUrl).toThrow('not started');
  });

  it.each([
    [{ port: -1 }, RangeError, 'port must be an integer 0-65535'],
    [{ port: 1.5 }, RangeError, 'port must be an integer 0-65535'],
    [{ accessTokenTtlSeconds: 0 }, RangeError, 'accessTokenTtlSeconds must be a positive integer'],
    [{ client: { ...CLIENT, clientSecret: '' } }, TypeError, 'clientId and clientSecret must be non-empty strings'],
    [{ client: { ...CLIENT, redirectUris: ['/hover/callback'] } }, TypeError, 'redirectUris must be a non-empty array of absolute URLs'],
  ])('rejects %j before listening', async (options, type, message) => {
    const failure = startHoverEmulator(options);
    await expect(failure).rejects.toThrow(type);
    await expect(failure).rejects.toThrow(message);
  });
});
