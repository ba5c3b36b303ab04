import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverAuthException, type HoverErrorBody, type HoverErrorCode } from '../exceptions/hover-auth.exception';
import { safeReturnPath } from '../oauth/return-path';

/** What {@link HoverErrorPageFilter} shows a person for one {@link HoverAuthException}. */
export interface HoverErrorPage {
  /** HTTP status of the answer (the exception's). */
  statusCode: number;
  /** The exception's stable code, shown small for support. */
  code: HoverErrorCode;
  /** Heading, e.g. "Connect Hover". */
  title: string;
  /** What happened and what helps, in plain words (no token, code or secret). */
  message: string;
  /** The one action that helps, if any: a link (GET). */
  action?: { label: string; href: string };
}

type PageText = Pick<HoverErrorPage, 'title' | 'message'> & { action?: 'connect' | 'reconnect' | 'start-again' | 'try-again' };

const UNAVAILABLE: PageText = {
  title: 'Hover is not answering right now',
  message: 'Hover could not be reached or is busy. Nothing was lost: try again in a moment.',
  action: 'try-again',
};

/** Plain-words text per code; codes not listed get {@link FALLBACK}. */
const PAGES: Partial<Record<HoverErrorCode, PageText>> = {
  HOVER_NOT_CONNECTED: {
    title: 'Connect Hover',
    message: 'This page shows data from your Hover account, and Hover is not connected yet. Connect it to continue.',
    action: 'connect',
  },
  HOVER_REAUTHORIZATION_REQUIRED: {
    title: 'Reconnect Hover',
    message: "Hover no longer accepts this app's access to your organization (it was revoked or has expired). Reconnect to continue.",
    action: 'reconnect',
  },
  HOVER_API_TOKEN_REJECTED: {
    title: 'Reconnect Hover',
    message: "Hover refused this app's access to your organization. Reconnect to continue; if it happens again, ask a Hover admin of your organization whether API access is enabled.",
    action: 'reconnect',
  },
  HOVER_TOKEN_DECRYPTION_FAILED: {
    title: 'Reconnect Hover',
    message: "This app can no longer read its stored Hover connection (its encryption key changed). Reconnect to replace it.",
    action: 'reconnect',
  },
  HOVER_INTEGRATIONS_UNAVAILABLE: {
    title: 'Hover integrations are not enabled',
    message:
      "Your Hover organization's plan does not include third-party integrations, so this app cannot use its Hover data. Integrations must be enabled on the organization: talk to your Hover account manager (Hover's FAQ). Once they are enabled, reconnect.",
    action: 'reconnect',
  },
  HOVER_INVALID_STATE: {
    title: 'This Hover connection cannot be completed',
    message: 'This link to finish connecting Hover was already used, has expired (after 10 minutes) or is incomplete. Start again.',
    action: 'start-again',
  },
  HOVER_STATE_BROWSER_MISMATCH: {
    title: 'This Hover connection cannot be completed',
    message: 'Connecting Hover has to finish in the browser where it started, within 10 minutes (and this browser must accept cookies). Start again here.',
    action: 'start-again',
  },
  HOVER_INVALID_CALLBACK: {
    title: 'This Hover connection cannot be completed',
    message: 'Hover sent this browser back with an incomplete answer. Start again.',
    action: 'start-again',
  },
  HOVER_ISSUER_MISMATCH: {
    title: 'This Hover connection cannot be completed',
    message: 'The answer did not come from the Hover this app is set up for. Start again.',
    action: 'start-again',
  },
  HOVER_TOKEN_ENDPOINT_UNAVAILABLE: UNAVAILABLE,
  HOVER_TOKEN_ENDPOINT_TIMEOUT: UNAVAILABLE,
  HOVER_REFRESH_TIMEOUT: UNAVAILABLE,
  HOVER_API_UNAVAILABLE: UNAVAILABLE,
  HOVER_API_TIMEOUT: UNAVAILABLE,
  HOVER_API_RATE_LIMITED: { ...UNAVAILABLE, title: 'Hover is busy', message: 'Too many requests reached Hover at once. Nothing was lost: try again in a moment.' },
  HOVER_RATE_LIMIT_QUEUE_FULL: { ...UNAVAILABLE, title: 'Hover is busy', message: 'This app is sending Hover as many requests as Hover allows. Nothing was lost: try again in a moment.' },
  HOVER_REQUEST_NOT_REPLAYED: { ...UNAVAILABLE, title: 'Please send that again', message: 'Hover asked this app to renew its access while the request was on its way; it could not be resent automatically. Try again.' },
};

const FALLBACK: PageText = {
  title: 'Hover could not complete this request',
  message: 'Something went wrong between this app and Hover. Try again; if it keeps happening, tell your administrator the code below.',
  action: 'try-again',
};

/**
 * Pages instead of raw JSON for people in a browser (opt-in). For a request whose `Accept` header asks
 * for `text/html` explicitly and at least as much as `application/json` (what browsers send on
 * navigation), a {@link HoverAuthException} becomes a small HTML page that says what happened and
 * offers the one action that helps: **Connect** / **Reconnect** (the authorize route, returning to
 * this page afterwards), **Start again** (a refused callback), **Try again** (Hover unavailable), or
 * for an org whose plan lacks integrations the advice of Hover's FAQ (integrations must be enabled on
 * the org: talk to the account manager). Every other client (`Accept: application/json`, `*\/*`, none)
 * gets the usual JSON body with its stable `code`, unchanged. Both carry the exception's status, and
 * `Retry-After` (seconds, RFC 9110 §10.2.3) when the error knows when to retry.
 *
 * Register it globally, with dependency injection so it finds the `authorizePath` option:
 * `providers: [{ provide: APP_FILTER, useClass: HoverErrorPageFilter }]` in a module that imports
 * `HoverAuthModule`; or `app.useGlobalFilters(new HoverErrorPageFilter(app.get(HttpAdapterHost)))`
 * (then the authorize route is `/hover/authorize` unless the exception names one). Express or Fastify.
 *
 * To match your app's look, subclass it and override {@link render} (its layout around
 * {@link renderBody}), or {@link describe} for other words. Pages never contain tokens, codes or secrets: only what the exception's JSON body holds.
 */
@Catch(HoverAuthException)
export class HoverErrorPageFilter implements ExceptionFilter<HoverAuthException> {
  /**
   * @param adapterHost Nest's `HttpAdapterHost` (injected; pass `app.get(HttpAdapterHost)` when you
   *   construct the filter yourself)
   * @param options the module's resolved options (injected when available; read for `authorizePath`)
   * @throws {TypeError} without an `HttpAdapterHost`, saying how to pass it
   */
  constructor(
    protected readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(HOVER_AUTH_RESOLVED_OPTIONS) protected readonly options?: ResolvedHoverAuthOptions,
  ) {
    if (!adapterHost) {
      throw new TypeError('HoverErrorPageFilter needs Nest\'s HttpAdapterHost: use { provide: APP_FILTER, useClass: HoverErrorPageFilter }, or new HoverErrorPageFilter(app.get(HttpAdapterHost)).');
    }
  }

  catch(exception: HoverAuthException, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception; // RPC / WebSocket / GraphQL: not ours to render
    const http = host.switchToHttp();
    const request = http.getRequest<HoverIncomingRequest>();
    const response = http.getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    const body = exception.getResponse() as HoverErrorBody;
    const status = exception.getStatus();
    const retryAfterSeconds = retryAfterOf(exception);
    if (retryAfterSeconds !== null) adapter.setHeader(response, 'Retry-After', String(retryAfterSeconds));
    if (!prefersHtml(request?.headers?.accept)) {
      adapter.reply(response, body, status);
      return;
    }
    adapter.setHeader(response, 'Content-Type', 'text/html; charset=utf-8');
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    adapter.reply(response, this.render(this.describe(exception, request), request), status);
  }

  /**
   * The page's content for one exception: title, message and action by its `code`. Connect and
   * reconnect links go to the authorize route (`authorizeUrl` of the exception, else the
   * `authorizePath` option) with `returnTo` = this page when it was a GET; "Try again" reloads it.
   */
  protected describe(exception: HoverAuthException, request: HoverIncomingRequest): HoverErrorPage {
    const body = exception.getResponse() as HoverErrorBody;
    const text = PAGES[exception.code] ?? FALLBACK;
    const page: HoverErrorPage = { statusCode: exception.getStatus(), code: exception.code, title: text.title, message: text.message };
    const here = request?.method === 'GET' ? safeReturnPath(request.originalUrl ?? request.url) : null;
    const authorize = typeof body.authorizeUrl === 'string' ? body.authorizeUrl : (this.options?.authorizePath ?? '/hover/authorize');
    const toAuthorize = (returnTo: string | null) => (returnTo ? `${authorize}${authorize.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(returnTo)}` : authorize);
    switch (text.action) {
      case 'connect':
        page.action = { label: 'Connect Hover', href: toAuthorize(here) };
        break;
      case 'reconnect':
        page.action = { label: 'Reconnect Hover', href: toAuthorize(here) };
        break;
      case 'start-again':
        page.action = { label: 'Start again', href: authorize }; // `here` is the spent callback URL
        break;
      case 'try-again':
        if (here) page.action = { label: 'Try again', href: here };
        break;
    }
    const retryAfterSeconds = retryAfterOf(exception);
    if (retryAfterSeconds) page.message += ` Try again in ${retryAfterSeconds} seconds.`;
    return page;
  }

  /**
   * The HTML document of a page: {@link renderBody} in a minimal layout with inline styles. Override it
   * to put the page in your app's layout (the request is there for the signed-in user, the locale…).
   */
  protected render(page: HoverErrorPage, request: HoverIncomingRequest): string {
    void request;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2330;line-height:1.5}
.action{display:inline-block;padding:.6rem 1.2rem;background:#1463ff;color:#fff;border-radius:6px;text-decoration:none}
.code{color:#6b7280;font-size:.85rem}</style></head>
<body><main>${this.renderBody(page)}</main></body></html>`;
  }

  /**
   * The page's content without a layout: the title (`#hover-title`), the message (`#hover-message`),
   * the action link (`#hover-action`, class `action`) and the code (`#hover-code`). Every value is escaped.
   */
  protected renderBody(page: HoverErrorPage): string {
    const action = page.action
      ? `<p><a class="action" id="hover-action" href="${escapeHtml(page.action.href)}">${escapeHtml(page.action.label)}</a></p>`
      : '';
    return `<h1 id="hover-title">${escapeHtml(page.title)}</h1>
<p id="hover-message">${escapeHtml(page.message)}</p>
${action}
<p class="code">Error code: <code id="hover-code">${escapeHtml(page.code)}</code> (HTTP ${page.statusCode})</p>`;
  }
}

/**
 * Whether `Accept` names `text/html` (or `application/xhtml+xml`) with a quality above 0 and at least
 * that of `application/json`. Our own ten lines rather than `accepts`/`negotiator`: the rule differs
 * from plain negotiation on purpose — wildcards (`*\/*`, `text/*`) never select HTML, so curl, fetch and
 * axios keep JSON — and it avoids two runtime dependencies (plus their types) for one comparison.
 */
export function prefersHtml(accept: unknown): boolean {
  if (typeof accept !== 'string' || accept.length > 4096) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type, ...parameters] = part.trim().toLowerCase().split(';');
    const qualityParameter = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    const quality = qualityParameter ? Number(qualityParameter.slice(2)) : 1;
    if (!Number.isFinite(quality)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, quality);
    if (type === 'application/json') json = Math.max(json, quality);
  }
  return html > 0 && html >= json;
}

/**
 * Whole **seconds** to wait before retrying, from the body's `retryAfterSeconds` or the exception's
 * property of that name (Hover's `Retry-After`, or hover-auth's own back-off); `null` when unknown.
 */
function retryAfterOf(exception: HoverAuthException): number | null {
  const body = exception.getResponse() as HoverErrorBody;
  const value = typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : (exception as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
