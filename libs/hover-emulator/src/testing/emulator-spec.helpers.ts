/**
 * Helpers shared by the emulator's own specs: drive the OAuth flow over real HTTP with Node's global
 * `fetch` (redirects never followed). Not exported from the library index.
 */
import { DEFAULT_EMULATOR_CLIENT } from '../hover-emulator.constants';

/** The default client's first redirect URI. */
export const REDIRECT_URI = DEFAULT_EMULATOR_CLIENT.redirectUris[0];

/** Body encodings accepted by `/oauth/token`. */
export type BodyEncoding = 'json' | 'form' | 'multipart';

/** A parsed HTTP answer. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or `undefined` when the body is empty or not JSON. */
  json: any;
}

/** Performs a request without following redirects and reads the whole body. */
export async function request(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Builds `/oauth/authorize?…` for the default client unless overridden; `undefined` values are dropped. */
export function authorizeUrl(baseUrl: string, overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: DEFAULT_EMULATOR_CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    ...overrides,
  };
  const url = new URL('/oauth/authorize', baseUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** POSTs the consent decision form like a browser would. */
export async function postDecision(
  baseUrl: string,
  decision: 'allow' | 'deny',
  overrides: Record<string, string | undefined> = {},
): Promise<HttpResult> {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: DEFAULT_EMULATOR_CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    decision,
    ...overrides,
  };
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
  return request(`${baseUrl}/oauth/authorize`, { method: 'POST', body });
}

/** Clicks Allow and returns the `code` from the redirect. */
export async function obtainCode(baseUrl: string, overrides: Record<string, string | undefined> = {}): Promise<string> {
  const res = await postDecision(baseUrl, 'allow', overrides);
  if (res.status !== 302) throw new Error(`expected 302 from consent, got ${res.status}: ${res.text}`);
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error('no code in redirect');
  return code;
}

/** POSTs to `/oauth/token` with the chosen body encoding. */
export async function postToken(
  baseUrl: string,
  params: Record<string, string>,
  encoding: BodyEncoding = 'json',
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<HttpResult> {
  let body: string | URLSearchParams | FormData;
  const allHeaders = { ...headers };
  if (encoding === 'json') {
    body = JSON.stringify(params);
    allHeaders['content-type'] = 'application/json';
  } else if (encoding === 'form') {
    body = new URLSearchParams(params);
  } else {
    body = new FormData();
    for (const [k, v] of Object.entries(params)) body.append(k, v);
  }
  return request(`${baseUrl}/oauth/token`, { method: 'POST', body, headers: allHeaders, signal });
}

/** `grant_type=authorization_code` with the default client's credentials in the body. */
export function exchangeCode(baseUrl: string, code: string, extra: Record<string, string> = {}, encoding: BodyEncoding = 'json'): Promise<HttpResult> {
  return postToken(
    baseUrl,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: DEFAULT_EMULATOR_CLIENT.clientId,
      client_secret: DEFAULT_EMULATOR_CLIENT.clientSecret,
      ...extra,
    },
    encoding,
  );
}

/** `grant_type=refresh_token` with the default client's credentials in the body. */
export function refresh(baseUrl: string, refreshToken: string, encoding: BodyEncoding = 'json'): Promise<HttpResult> {
  return postToken(
    baseUrl,
    {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      redirect_uri: REDIRECT_URI,
      client_id: DEFAULT_EMULATOR_CLIENT.clientId,
      client_secret: DEFAULT_EMULATOR_CLIENT.clientSecret,
    },
    encoding,
  );
}

/** Full flow for the signed-in user: consent → code → tokens. */
export async function obtainTokens(baseUrl: string): Promise<{ access_token: string; refresh_token: string; owner_id: number }> {
  const res = await exchangeCode(baseUrl, await obtainCode(baseUrl));
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${res.text}`);
  return res.json;
}

/** GET an API path with a bearer token. */
export function apiGet(baseUrl: string, path: string, accessToken?: string): Promise<HttpResult> {
  return request(`${baseUrl}${path}`, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });
}
