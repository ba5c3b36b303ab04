import { HoverEmulator, type HoverEmulatorFaults } from '@hover-auth/emulator';
import { type HoverHttpClient, HoverHttpService } from '@hover-auth/nestjs';
import { HoverConnectionRepository, type HoverConnection } from '../../libs/hover-auth/src/testing/internals';
import type { LoggerService } from '@nestjs/common';
import { startSampleApp, type RunningSample } from '../../apps/sample/src/start-sample-app';
import { freePort } from './free-port';
import { E2E_ENCRYPTION_KEYS } from './test-keys';
import { createSqliteDatabase, type TestDatabase } from './test-databases';

export const E2E_CLIENT = { clientId: 'e2e-client', clientSecret: 'e2e-client-secret-value' };

/** The sample user the helpers sign in as by default, and that user's connection id. */
export const SAMPLE_USER = 'ana';
export const SAMPLE_CONNECTION_ID = `user:${SAMPLE_USER}`;

/** The sample app wired to a separately started emulator and a test database, as a user deploys it. */
export interface SampleUnderTest {
  sample: RunningSample;
  emulator: HoverEmulator;
  /** `http://localhost:<port>` of the sample app */
  url: string;
  /** Signs in to the sample as `user` (default {@link SAMPLE_USER}); resolves to the session's `Cookie` header. */
  signIn(user?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the emulator, registers the e2e client for the sample's redirect URI, and starts the sample
 * app through its real bootstrap (`startSampleApp`) with environment variables only.
 * @param extraEnv more variables, or a function of the sample's port that returns them (for a value
 *   that names the sample's own address, such as HOVER_WEBHOOK_URL)
 */
export async function startSampleUnderTest(
  database: TestDatabase,
  extraEnv: NodeJS.ProcessEnv | ((port: number) => NodeJS.ProcessEnv) = {},
  logger: LoggerService | false = false,
): Promise<SampleUnderTest> {
  const emulator = new HoverEmulator();
  const baseUrl = await emulator.start(0);
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/hover/callback`;
  emulator.registerClient({ ...E2E_CLIENT, redirectUris: [redirectUri] });
  let sample: RunningSample;
  try {
    sample = await startSampleApp(
      {
        PORT: String(port),
        DATABASE_URL: database.url,
        HOVER_BASE_URL: baseUrl,
        HOVER_CLIENT_ID: E2E_CLIENT.clientId,
        HOVER_CLIENT_SECRET: E2E_CLIENT.clientSecret,
        HOVER_REDIRECT_URI: redirectUri,
        HOVER_ENCRYPTION_KEYS: E2E_ENCRYPTION_KEYS.map((entry) => `${entry.id}:${entry.key}`).join(','),
        ...(typeof extraEnv === 'function' ? extraEnv(port) : extraEnv),
      },
      logger,
    );
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  return {
    sample,
    emulator,
    url: sample.url,
    signIn: (user = SAMPLE_USER) => signInToSample(sample.url, user),
    close: async () => {
      await sample.close();
      await emulator.stop();
    },
  };
}

/** `POST /sign-in` as `user`; the session cookie as a `Cookie` header. */
export async function signInToSample(url: string, user: string): Promise<string> {
  const response = await fetch(`${url}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user }),
  });
  await response.text();
  const cookie = response.headers.getSetCookie().map((header) => header.split(';')[0]).join('; ');
  if (response.status !== 303 || !cookie.startsWith('sample.sid=')) throw new Error(`sign-in as ${user} answered ${response.status}`);
  return cookie;
}

/** A response read without following redirects. */
export interface RawResponse {
  status: number;
  location: string | null;
  headers: Headers;
  text: string;
}

export async function get(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, location: response.headers.get('location'), headers: response.headers, text: await response.text() };
}

/** Reads the hidden inputs of the consent page's form whose id is `formId`. */
export function formFields(html: string, formId: string): Record<string, string> {
  const form = html.match(new RegExp(`<form[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`));
  if (!form) throw new Error(`no form #${formId} on the page`);
  const fields: Record<string, string> = {};
  for (const input of form[1].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields[input[1]] = input[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  return fields;
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie request header. */
export function cookiesOf(response: RawResponse): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/** What a browser does between clicking "Connect Hover" and landing back on the sample app. */
export interface ConsentRun {
  /** The Cookie header this browser sends to the sample (the session and the browser-binding cookie). */
  cookie: string;
  /** The consent page HTML the user saw. */
  consentPage: RawResponse;
  /** Hover's redirect to the callback (null when the consent page did not redirect). */
  callbackUrl: URL | null;
  /** The sample's answer to the callback (null when there was no callback). */
  callback: RawResponse | null;
}

/**
 * Signs in (as {@link SAMPLE_USER}, unless `cookie` carries a session), clicks "Connect Hover" on the sample, then Allow or Deny on the emulator's consent page, then
 * follows Hover's redirect to the sample's callback — redirects followed by hand, as a browser would.
 */
export async function runConsent(
  target: SampleUnderTest,
  decision: 'allow' | 'deny',
  { authorizePath = '/hover/authorize', cookie: browserCookie }: { authorizePath?: string; cookie?: string } = {},
): Promise<ConsentRun> {
  const session = browserCookie ?? (await target.signIn());
  const authorize = await get(`${target.url}${authorizePath}`, { headers: { cookie: session } });
  if (authorize.status !== 302 || !authorize.location) throw new Error(`authorize answered ${authorize.status}`);
  const cookie = [session, cookiesOf(authorize)].filter(Boolean).join('; ');
  const consentPage = await get(authorize.location);
  if (!consentPage.text.includes(`value="${decision}"`)) return { cookie, consentPage, callbackUrl: null, callback: null };
  const fields = formFields(consentPage.text, `${decision}-form`);
  const decided = await fetch(new URL('/oauth/authorize', authorize.location), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, decision }),
  });
  await decided.text();
  const location = decided.headers.get('location');
  if (decided.status !== 302 || !location) return { cookie, consentPage, callbackUrl: null, callback: null };
  const callbackUrl = new URL(location);
  return { cookie, consentPage, callbackUrl, callback: await get(callbackUrl.toString(), { headers: { cookie } }) };
}

/**
 * Registers the Jest hooks of a suite that works on one sample app on a fresh SQLite file, started before
 * the suite's tests (with its own emulator) and closed, file removed, after them.
 * @returns the running sample (call it in hooks and tests, once the suite's `beforeAll` ran)
 */
export function sampleOnSqliteSuite(): () => SampleUnderTest {
  let database: TestDatabase;
  let target: SampleUnderTest;
  beforeAll(async () => {
    database = createSqliteDatabase();
    target = await startSampleUnderTest(database);
  });
  afterAll(async () => {
    await target?.close();
    await database?.drop();
  });
  return () => target;
}

/**
 * Registers the Jest hooks of a suite that works on one connected sample app: the sample on a SQLite
 * file for the whole suite; before each test, `faults` are set, the sample user's connection is (re)connected
 * through the consent page (a fresh grant, and a clean back-off), and the emulator's counters reset.
 */
export function connectedSampleSuite(faults: Partial<HoverEmulatorFaults>) {
  const sample = sampleOnSqliteSuite();
  let target: SampleUnderTest;
  beforeEach(async () => {
    target = sample();
    target.emulator.setFaults(faults);
    expect((await runConsent(target, 'allow')).callback?.location).toBe('/?connected=1');
    target.emulator.resetCounters();
  });
  return {
    /** The running sample and its emulator. */
    target: () => target,
    /** The sample user's stored connection, tokens decrypted. */
    stored: async (): Promise<HoverConnection> => (await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID)) as HoverConnection,
    /** The sample's HoverHttpService, scoped to the sample user's connection (what the sample's routes use for them). */
    hover: (): HoverHttpClient => target.sample.app.get(HoverHttpService).forConnection(SAMPLE_CONNECTION_ID),
    /** Refresh grants that reached the emulator since the last reset. */
    refreshGrants: () => target.emulator.tokenRequestCount('refresh_token'),
  };
}
