import type { HoverEmulator } from '../hover-emulator';
import { findDecisionForm, oauthErrorOf, SubmittableForm, textOfId } from './consent-form';
import { ConsentFlowError, ConsentFlowFailure } from './consent-flow.error';
import { CookieJar } from './cookie-jar';

/** Options of `completeConsent`. */
export interface CompleteConsentOptions {
  /**
   * The emulator your app is configured against: a started `HoverEmulator`, or the base URL of one
   * running elsewhere (e.g. `npx hover-emulator`, `"http://127.0.0.1:4010"`).
   */
  emulator: HoverEmulator | string;
  /**
   * Absolute URL of YOUR APP's route that starts the flow (the "Connect Hover" link), query included,
   * e.g. `"http://127.0.0.1:3000/hover/authorize?returnTo=/jobs"`. Any route works as long as it
   * redirects to the emulator's `/oauth/authorize`.
   */
  authorizeUrl: string | URL;
  /**
   * Request headers your app needs to accept the browser, sent with BOTH requests to your app (the
   * authorize route and the callback), never to the emulator. Typically a session `cookie`, or the
   * header your `resolveConnectionId` reads to choose the connection id (e.g. `{ 'x-account-id': '42' }`).
   * A `cookie` header seeds the browser's cookie jar; cookies your app sets are added to it.
   * Default: none.
   */
  headers?: Record<string, string>;
  /** The button the user clicks on the consent page. Default `'allow'`. */
  decision?: 'allow' | 'deny';
  /**
   * Seeded emulator user who clicks (the org they belong to is the one that grants access). Calls
   * `setSignedInUser` (or `POST /__emulator/signed-in-user` for a URL) BEFORE the flow, and the choice
   * stays after it, as a Hover session would. Default: the emulator's current signed-in user (user 1,
   * org 1 "Acme Roofing", with the default world).
   */
  userId?: number;
  /** Aborts the flow (every request); the abort reason is thrown as is. Default: no time limit. */
  signal?: AbortSignal;
}

/** What your app answered to the emulator's redirect back (the callback), plus the flow's URLs. */
export interface CompletedConsent {
  /** HTTP status of your app's callback answer, e.g. `302`. */
  status: number;
  /** Its `Location` header verbatim (may be relative, e.g. `"/?connected=1"`), or `null`. */
  location: string | null;
  /** All headers of the callback answer. */
  headers: Headers;
  /** The callback answer's body as text (`""` for a bare redirect). */
  body: string;
  /**
   * Where your app sent the browser: the emulator's `/oauth/authorize?…` URL with `client_id`,
   * `redirect_uri`, `state` and PKCE parameters, to assert what your app asked for.
   */
  consentUrl: URL;
  /**
   * Where the emulator sent the browser back: your redirect URI with `code` and `state` (Allow) or
   * `error=access_denied` and `state` (Deny). It holds a live authorization code until your app used
   * it: do not log it.
   */
  callbackUrl: URL;
  /** Cookies the browser now holds for your app's root path `/`, as `{ name: value }` (after the callback's `Set-Cookie`). */
  cookies: Record<string, string>;
  /** The same cookies as a `Cookie` request header (`""` when none), for your next request to the app. */
  cookieHeader: string;
}

/**
 * Completes the whole Hover consent flow for the app under test, without a browser but the way a
 * browser does it (RFC 6749 §4.1.1–4.1.2), every redirect followed by hand:
 * 1. `GET authorizeUrl` on your app with `headers`; keeps the cookies it sets (e.g. a flow-binding cookie);
 * 2. follows its redirect to the emulator's `/oauth/authorize` (the consent page);
 * 3. submits the Allow (or Deny) form as `userId`;
 * 4. follows the emulator's redirect to your app's callback with the cookies and `headers`, and
 *    returns your app's answer WITHOUT following it further.
 *
 * Works with any app whose route redirects to the emulator (the built-in `@hover-auth/nestjs`
 * controller or your own routes); it only speaks HTTP to both. Uses the global `fetch`.
 *
 * @param options `{ emulator, authorizeUrl, headers?, decision? = 'allow', userId?, signal? }`
 * @returns `{ status, location, headers, body, consentUrl, callbackUrl, cookies, cookieHeader }` of
 *   your app's callback answer; a callback that failed in your app (4xx/5xx) is returned, not thrown
 * @throws TypeError for invalid options (relative `authorizeUrl`, unknown `decision`, non-integer `userId`)
 * @throws Error from `HoverEmulator` when the emulator is not started or `userId` is not seeded
 * @throws ConsentFlowError when the flow cannot reach your callback; its `reason`
 *   (`ConsentFlowFailure`) and message say why and what to change: your authorize route did not
 *   redirect (auth guard? pass `headers`), redirected somewhere other than this emulator (point your
 *   app's Hover base URL at it), the emulator refused the request (unregistered client or redirect
 *   URI), the org's plan has no integrations (no Allow button), or Allow redirected with `error=`
 *
 * @example
 * const result = await completeConsent({
 *   emulator,
 *   authorizeUrl: `${appUrl}/hover/authorize`,
 *   headers: { 'x-account-id': 'acct-42' },
 * });
 * expect(result.status).toBe(302);
 * expect(result.location).toBe('/?connected=1');
 */
export async function completeConsent(options: CompleteConsentOptions): Promise<CompletedConsent> {
  const { authorizeUrl, decision, userId } = validateOptions(options);
  const emulatorUrl = emulatorBaseUrl(options.emulator);
  if (userId !== undefined) await signIn(options.emulator, emulatorUrl, userId, options.signal);
  const browser = new ManualBrowser(authorizeUrl, options.headers ?? {}, options.signal);

  const consentUrl = await startAtApp(browser, authorizeUrl, emulatorUrl);
  const form = await openConsentPage(browser, consentUrl, decision);
  const callbackUrl = await submitDecision(browser, form, decision);
  return returnToApp(browser, callbackUrl, consentUrl);
}

// ---- the steps --------------------------------------------------------------------------------

async function startAtApp(browser: ManualBrowser, authorizeUrl: URL, emulatorUrl: URL): Promise<URL> {
  const answer = await browser.visit(authorizeUrl, 'app');
  if (!answer.location) {
    throw new ConsentFlowError(
      'authorize-not-redirected',
      `completeConsent: GET ${withoutQuery(authorizeUrl)} answered ${answer.status} instead of redirecting to the emulator${bodyHint(answer)}. ` +
        'Is the route behind your own authentication (pass the session cookie or header in `headers`), is the URL right, or did the app fail (see its log)?',
      answer.status,
    );
  }
  const target = new URL(answer.location, authorizeUrl);
  if (sameServer(target, emulatorUrl) && target.pathname === '/oauth/authorize') return target;
  if (target.origin === authorizeUrl.origin) {
    throw new ConsentFlowError(
      'redirected-elsewhere',
      `completeConsent: GET ${withoutQuery(authorizeUrl)} redirected to ${target.pathname} on the app itself, not to the emulator. ` +
        'That looks like a login redirect: pass the session cookie or header your app expects in `headers`.',
      answer.status,
    );
  }
  throw new ConsentFlowError(
    'redirected-elsewhere',
    `completeConsent: GET ${withoutQuery(authorizeUrl)} redirected to ${withoutQuery(target)}, not to this emulator's ${emulatorUrl.origin}/oauth/authorize. ` +
      `Point your app's Hover base URL (e.g. the \`baseUrl\` option of @hover-auth/nestjs) at the emulator: ${emulatorUrl.origin}.`,
    answer.status,
  );
}

async function openConsentPage(browser: ManualBrowser, consentUrl: URL, decision: 'allow' | 'deny'): Promise<SubmittableForm> {
  const page = await browser.visit(consentUrl, 'emulator');
  if (page.status === 200) {
    const form = findDecisionForm(page.body, consentUrl, decision);
    if (form) return form;
  }
  if (page.location) {
    const back = new URL(page.location, consentUrl);
    throw new ConsentFlowError(
      'authorization-request-rejected',
      `completeConsent: the emulator rejected your app's authorization request before the consent page and redirected back with ${describeOAuthError(back)}. ` +
        'Check the parameters your authorize route sends: response_type=code, and code_challenge_method S256 or plain.',
      page.status,
    );
  }
  throw consentPageFailure(page, consentUrl, decision);
}

async function submitDecision(browser: ManualBrowser, form: SubmittableForm, decision: 'allow' | 'deny'): Promise<URL> {
  const answer = await browser.visit(form.action, 'emulator', { method: form.method, body: form.fields });
  if (!answer.location) {
    const error = oauthErrorOf(answer.body);
    throw new ConsentFlowError(
      'unexpected-consent-answer',
      `completeConsent: submitting ${decision === 'allow' ? 'Allow' : 'Deny'} on the consent page answered ${answer.status}${error ? ` (${error})` : ''} instead of redirecting to your app. ` +
        'Was the emulator reset or the client re-registered during the flow?',
      answer.status,
    );
  }
  const callbackUrl = new URL(answer.location, form.action);
  if (decision === 'allow' && callbackUrl.searchParams.has('error')) {
    throw new ConsentFlowError(
      'emulator-redirected-with-error',
      `completeConsent: after Allow the emulator redirected to ${withoutQuery(callbackUrl)} with ${describeOAuthError(callbackUrl)} instead of a code. ` +
        'Check the authorization request your app sends (response_type, PKCE parameters).',
      answer.status,
    );
  }
  return callbackUrl;
}

async function returnToApp(browser: ManualBrowser, callbackUrl: URL, consentUrl: URL): Promise<CompletedConsent> {
  const answer = await browser.visit(callbackUrl, 'app');
  const appRoot = new URL('/', callbackUrl);
  return {
    status: answer.status,
    location: answer.location,
    headers: answer.headers,
    body: answer.body,
    consentUrl,
    callbackUrl,
    cookies: browser.jar.valuesFor(appRoot),
    cookieHeader: browser.jar.headerFor(appRoot),
  };
}

/** Turns a consent page without the wanted button into an error that names the cause. */
function consentPageFailure(page: VisitAnswer, consentUrl: URL, decision: 'allow' | 'deny'): ConsentFlowError {
  const clientId = consentUrl.searchParams.get('client_id') ?? '(none)';
  const redirectUri = consentUrl.searchParams.get('redirect_uri') ?? '(none)';
  const unavailable = textOfId(page.body, 'integrations-unavailable');
  if (unavailable) {
    const org = textOfId(page.body, 'org-name');
    return new ConsentFlowError(
      'integrations-unavailable',
      `completeConsent: the consent page shows no Allow button: the signed-in user's org${org ? ` "${org}"` : ''} has no integrations on its plan ("${unavailable}"). ` +
        'Pass the `userId` of a user whose org has integrations, call emulator.setOrgIntegrations(orgId, true), ' +
        "or let consent through with emulator.setFaults({ consentWithoutIntegrations: 'allow' }).",
      page.status,
    );
  }
  const error = oauthErrorOf(page.body);
  const failures: Record<string, [ConsentFlowFailure, string]> = {
    invalid_client: [
      'authorization-request-rejected',
      `client_id "${clientId}" is not registered at the emulator (invalid_client). Register your app's client: startHoverEmulator({ client }) or emulator.registerClient({ clientId, clientSecret, redirectUris }).`,
    ],
    invalid_redirect_uri: [
      'authorization-request-rejected',
      `redirect_uri "${redirectUri}" is not registered for client "${clientId}" (invalid_redirect_uri; matched exactly, host and port included). Add it to the client's redirectUris.`,
    ],
    server_error: [
      'no-signed-in-user',
      'the emulator has no signed-in user (seedDefaults: false?). Seed an org and a user (emulator.seedOrg, emulator.seedUser) first.',
    ],
  };
  const [reason, explanation] = (error && failures[error]) || [
    'unexpected-consent-answer',
    `the consent page answered ${page.status}${error ? ` (${error})` : ''} without a ${decision === 'allow' ? 'Allow' : 'Deny'} button.`,
  ];
  return new ConsentFlowError(reason, `completeConsent: ${explanation}`, page.status);
}

// ---- plumbing ---------------------------------------------------------------------------------

interface VisitAnswer {
  status: number;
  /** The `Location` header of a 3xx answer, else `null`. */
  location: string | null;
  headers: Headers;
  body: string;
}

/**
 * Sends requests like a browser on one tab: redirects never followed automatically, a cookie jar,
 * and the test's extra headers on requests to the app only.
 */
class ManualBrowser {
  readonly jar = new CookieJar();
  private readonly appHeaders: Headers;

  constructor(
    appUrl: URL,
    headers: Record<string, string>,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.appHeaders = new Headers(headers);
    const cookie = this.appHeaders.get('cookie');
    if (cookie) this.jar.addCookieHeader(appUrl, cookie);
    this.appHeaders.delete('cookie');
  }

  async visit(url: URL, to: 'app' | 'emulator', init: { method?: string; body?: URLSearchParams } = {}): Promise<VisitAnswer> {
    const headers = new Headers(to === 'app' ? this.appHeaders : undefined);
    const cookie = this.jar.headerFor(url);
    if (cookie) headers.set('cookie', cookie);
    let response: Response;
    try {
      response = await fetch(url, { method: init.method ?? 'GET', body: init.body, headers, redirect: 'manual', signal: this.signal });
    } catch (error) {
      if (this.signal?.aborted) throw error;
      throw new ConsentFlowError(
        to === 'app' ? 'app-unreachable' : 'emulator-unreachable',
        `completeConsent: could not reach ${to === 'app' ? 'your app' : 'the emulator'} at ${url.origin} (${networkCause(error)}). ` +
          (to === 'app' ? 'Is the app listening there?' : 'Is the emulator started (and not stopped yet)?'),
        undefined,
        { cause: error },
      );
    }
    this.jar.absorb(url, response);
    const body = await response.text();
    const isRedirect = response.status >= 300 && response.status < 400;
    return { status: response.status, location: isRedirect ? response.headers.get('location') : null, headers: response.headers, body };
  }
}

function validateOptions(options: CompleteConsentOptions): { authorizeUrl: URL; decision: 'allow' | 'deny'; userId?: number } {
  if (!options || typeof options !== 'object') throw new TypeError('completeConsent: pass { emulator, authorizeUrl }.');
  let authorizeUrl: URL;
  try {
    authorizeUrl = new URL(options.authorizeUrl);
  } catch {
    throw new TypeError(`completeConsent: authorizeUrl must be an absolute URL of your app's authorize route, e.g. "http://127.0.0.1:3000/hover/authorize", got "${String(options.authorizeUrl)}".`);
  }
  if (authorizeUrl.protocol !== 'http:' && authorizeUrl.protocol !== 'https:') {
    throw new TypeError(`completeConsent: authorizeUrl must be http or https, got "${authorizeUrl.protocol}".`);
  }
  const decision = options.decision ?? 'allow';
  if (decision !== 'allow' && decision !== 'deny') throw new TypeError(`completeConsent: decision must be 'allow' or 'deny', got ${JSON.stringify(decision)}.`);
  if (options.userId !== undefined && !Number.isInteger(options.userId)) {
    throw new TypeError(`completeConsent: userId must be an integer id of a seeded emulator user, got ${String(options.userId)}.`);
  }
  return { authorizeUrl, decision, userId: options.userId };
}

function emulatorBaseUrl(emulator: HoverEmulator | string): URL {
  if (typeof emulator !== 'string') {
    if (!emulator || typeof emulator !== 'object') throw new TypeError('completeConsent: emulator must be a HoverEmulator or its base URL.');
    return new URL(emulator.baseUrl); // throws "not started" when it is not
  }
  try {
    return new URL(emulator);
  } catch {
    throw new TypeError(`completeConsent: emulator must be a HoverEmulator or an absolute base URL such as "http://127.0.0.1:4010", got "${emulator}".`);
  }
}

async function signIn(emulator: HoverEmulator | string, emulatorUrl: URL, userId: number, signal: AbortSignal | undefined): Promise<void> {
  if (typeof emulator !== 'string') {
    emulator.setSignedInUser(userId);
    return;
  }
  let response: Response;
  try {
    response = await fetch(new URL('/__emulator/signed-in-user', emulatorUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ConsentFlowError('emulator-unreachable', `completeConsent: could not reach the emulator at ${emulatorUrl.origin} (${networkCause(error)}). Is it running?`, undefined, { cause: error });
  }
  const answer = (await response.json().catch(() => ({}))) as { message?: string };
  if (response.status === 404) throw new Error(`completeConsent: ${answer.message ?? `no user ${userId} is seeded in the emulator`}`);
  if (!response.ok) throw new Error(`completeConsent: POST /__emulator/signed-in-user answered ${response.status}; is ${emulatorUrl.origin} a Hover emulator?`);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Same origin, counting `localhost`, `127.0.0.1` and `[::1]` as one host (the emulator binds 127.0.0.1). */
function sameServer(a: URL, b: URL): boolean {
  if (a.origin === b.origin) return true;
  return a.protocol === b.protocol && a.port === b.port && LOOPBACK_HOSTS.has(a.hostname) && LOOPBACK_HOSTS.has(b.hostname);
}

/** A URL for an error message: the query may hold a `state`, a code or a PKCE challenge. */
function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function describeOAuthError(url: URL): string {
  const error = url.searchParams.get('error') ?? '(no error code)';
  const description = url.searchParams.get('error_description');
  return `error=${error}${description ? ` ("${description}")` : ''}`;
}

/** A short look at a non-HTML error body (JSON or text), which usually names the cause. */
function bodyHint(answer: VisitAnswer): string {
  const type = answer.headers.get('content-type') ?? '';
  if (!answer.body || type.includes('html')) return '';
  const text = answer.body.replace(/\s+/g, ' ').trim();
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
