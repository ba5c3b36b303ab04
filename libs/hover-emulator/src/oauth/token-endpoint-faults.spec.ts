import { HoverEmulator } from '../hover-emulator';
import { exchangeCode, obtainCode, postToken } from '../testing/emulator-spec.helpers';

describe('/oauth/token transport faults', () => {
  let emulator: HoverEmulator;
  let baseUrl: string;

  beforeEach(async () => {
    emulator = new HoverEmulator();
    baseUrl = await emulator.start();
  });
  afterEach(() => emulator.stop());

  it('tokenEndpointStatus: answers that status with server_error, counts the request, consumes nothing', async () => {
    const code = await obtainCode(baseUrl);
    emulator.setFaults({ tokenEndpointStatus: 503 });
    const res = await exchangeCode(baseUrl, code);
    expect(res.status).toBe(503);
    expect(res.json.error).toBe('server_error');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(emulator.tokenRequestCount('authorization_code')).toBe(1);

    emulator.setFaults({ tokenEndpointStatus: null });
    expect((await exchangeCode(baseUrl, code)).status).toBe(200);
    expect(emulator.tokenRequestCount('authorization_code')).toBe(2);
  });

  it('tokenEndpointResponse: answers the raw status, type and body, counts the request, consumes nothing', async () => {
    const code = await obtainCode(baseUrl);
    emulator.setFaults({ tokenEndpointResponse: { status: 200, contentType: 'text/html', body: '<html>maintenance</html>' } });
    const raw = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await raw.text()).toBe('<html>maintenance</html>');
    expect(emulator.tokenRequestCount('authorization_code')).toBe(1);

    emulator.setFaults({ tokenEndpointResponse: null });
    expect((await exchangeCode(baseUrl, code)).status).toBe(200);
  });

  it('tokenEndpointResponse: refuses a malformed override', () => {
    expect(() => emulator.setFaults({ tokenEndpointResponse: { status: 200, contentType: 'text/html' } as never })).toThrow(/tokenEndpointResponse/);
  });

  it('tokenEndpointDelayMs: delays the answer by at least that many milliseconds', async () => {
    emulator.setFaults({ tokenEndpointDelayMs: 300 });
    const started = Date.now();
    const res = await postToken(baseUrl, { grant_type: 'password' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unsupported_grant_type');
  });

  it('tokenEndpointHang: the request stays pending (client times out), and is counted', async () => {
    emulator.setFaults({ tokenEndpointHang: true });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await expect(postToken(baseUrl, { grant_type: 'refresh_token', refresh_token: 'x' }, 'json', {}, controller.signal)).rejects.toThrow(/abort/i);
    clearTimeout(timer);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
  });

  it('tokenEndpointHang: stop() releases a pending request (socket closed)', async () => {
    emulator.setFaults({ tokenEndpointHang: true });
    const pending = postToken(baseUrl, { grant_type: 'refresh_token', refresh_token: 'x' });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emulator.tokenRequestCount()).toBe(1);
    await emulator.stop();
    expect(await outcome).toBe('failed');
  });

  it('a delayed answer pending at stop() does not keep the process alive', async () => {
    emulator.setFaults({ tokenEndpointDelayMs: 60_000 });
    const outcome = postToken(baseUrl, { grant_type: 'password' }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await emulator.stop();
    expect(await outcome).toBe('failed');
  });
});
