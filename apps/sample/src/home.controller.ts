import { HoverConnectionsService, InjectHoverAuthOptions, type HoverConnectionInfo, type ResolvedHoverAuthOptions } from '@hover-auth/nestjs';
import { Controller, Get, Header, Inject, Optional, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { connectionIdOf, signedInUser } from './app-users';
import { DevPanel } from './dev-panel';
import { escapeHtml, page } from './html';

/** What the user reads after a failed connection (`failureRedirect?hover_error=<reason>`). */
const FAILURE_TEXT: Record<string, string> = {
  access_denied: 'You cancelled the connection on Hover.',
  token_exchange_failed: 'Hover did not accept the authorization code. Please try again.',
  hover_unavailable: 'Hover could not be reached. Please try again in a moment.',
  configuration_error: 'The app is misconfigured (client id or secret). Check the server log.',
  authorization_failed: 'Hover could not complete the authorization. Please try again.',
  different_org: 'You signed in to a different Hover organization than the one connected before, and this app keeps the first one. Sign in to Hover with the right organization and connect again.',
};

/** What the user reads after the dev panel changed the emulator (`?dev=<action>`). */
const DEV_TEXT: Record<string, string> = {
  'integrations-off': 'Emulator: integrations are now OFF for your Hover org. Open your jobs to see what happens.',
  'integrations-on': 'Emulator: integrations are ON again for your Hover org. Reconnect (or wait for the re-check) to see it.',
  'expire-tokens': 'Emulator: every access token has expired. Your next Hover call refreshes it (watch the expiry change).',
  'revoke-tokens': 'Emulator: every token is revoked. Your next Hover call finds the grant gone: reconnect needed.',
  'token-endpoint-failing': 'Emulator: the token endpoint now answers 503 to every grant.',
  'token-endpoint-ok': 'Emulator: the token endpoint works again.',
  'consent-blocks': 'Emulator: consent for a plan without integrations now stops on Hover, as Hover does.',
  'consent-allows': 'Emulator: consent for a plan without integrations now comes back to this app.',
  'not-connected': 'Connect Hover first: the switch acts on your connected org.',
  unknown: 'Unknown developer panel action: nothing was changed.',
};

/** Home page: the signed-in user's Hover connection (org, status, token expiry; never a token) and its actions. */
@Controller()
export class HomeController {
  constructor(
    private readonly connections: HoverConnectionsService,
    @InjectHoverAuthOptions() private readonly options: ResolvedHoverAuthOptions,
    @Optional() @Inject(DevPanel) private readonly devPanel?: DevPanel,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async home(@Req() request: Request, @Res() response: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const user = signedInUser(request);
    if (!user) {
      response.redirect(303, '/sign-in');
      return;
    }
    const connection = await this.connections.get(connectionIdOf(user));
    const parts = ['<h1>Hover sample app</h1>'];
    if (typeof query.hover_error === 'string') {
      // Only known reasons are shown: the query is anyone's text, so an unknown one is not echoed.
      parts.push(`<p class="error" id="hover-error">${escapeHtml(textFor(FAILURE_TEXT, query.hover_error) ?? 'Connecting to Hover failed. Please try again.')}</p>`);
    }
    if (query.hover_notice === 'reconnected_to_different_org' && connection) {
      parts.push(
        `<p class="notice" id="hover-notice">You connected a different Hover organization than before: this account now uses <strong>${escapeHtml(connection.hoverOrgName ?? connection.hoverOrgId ?? 'unknown')}</strong>.</p>`,
      );
    } else if (query.connected === '1' && connection?.status === 'active' && connection.integrationsEnabled) {
      parts.push('<p class="ok" id="hover-connected">Hover is now connected.</p>');
    }
    const devText = textFor(DEV_TEXT, query.dev);
    if (devText) parts.push(`<p class="notice" id="dev-notice">${escapeHtml(devText)}</p>`);
    parts.push(connectionCard(connection));
    parts.push(
      `<p id="webhooks-link"><a href="/webhooks/events">Webhook events</a>: the job updates Hover sends this app (webhooks are ${this.options.webhook ? '<strong>on</strong>' : '<strong>off</strong>: set <code>HOVER_WEBHOOK_URL</code> to turn them on'}).</p>`,
    );
    if (this.devPanel) parts.push(this.devPanel.render(connection));
    response.type('html').send(page('Hover sample app', parts.join('\n'), user));
  }
}

/**
 * The text of a known key from the query (anyone's text), else `undefined`: own keys only, so
 * `constructor` or `toString` is unknown rather than a function of Object.prototype.
 */
function textFor(texts: Record<string, string>, key: unknown): string | undefined {
  return typeof key === 'string' && Object.hasOwn(texts, key) ? texts[key] : undefined;
}

/** The connection's state and the one action that helps. */
function connectionCard(connection: HoverConnectionInfo | null): string {
  const connect = (label: string) => `<div class="actions"><a class="button" id="connect" href="/hover/authorize">${label}</a></div>`;
  if (!connection) {
    return `<section class="card" id="connection"><p id="status">Hover is <strong>not connected</strong>.</p>${connect('Connect Hover')}</section>`;
  }
  const org = escapeHtml(connection.hoverOrgName ?? connection.hoverOrgId ?? 'unknown');
  if (!connection.tokensReadable) {
    // E.g. HOVER_ENCRYPTION_KEYS changed without re-encrypting: say so, and offer to reconnect.
    return `<section class="card" id="connection"><p class="error" id="status">The stored Hover connection cannot be decrypted with the configured HOVER_ENCRYPTION_KEYS (see the README, "Tokens at rest"). Reconnect to replace it.</p>${connect('Reconnect Hover')}</section>`;
  }
  const active = connection.status === 'active';
  const expiry = active
    ? `<time datetime="${connection.accessTokenExpiresAt.toISOString()}">${escapeHtml(describeExpiry(connection.accessTokenExpiresAt))}</time> (renewed automatically)`
    : 'none: Hover no longer accepts this connection';
  const details = `<dl><dt>Organization</dt><dd id="org-name">${org}</dd>
<dt>Status</dt><dd id="connection-status" data-status="${escapeHtml(connection.status)}">${active ? 'active' : 'reconnect needed'}</dd>
<dt>Access token expires</dt><dd id="token-expiry">${expiry}</dd>
<dt>Connected since</dt><dd>${escapeHtml(connection.createdAt.toISOString().replace('T', ' ').slice(0, 16))} UTC</dd></dl>`;
  const disconnect = '<form method="post" action="/connection/disconnect"><button type="submit" class="secondary" id="disconnect">Disconnect</button></form>';
  if (!active) {
    return `<section class="card" id="connection"><p id="status">Hover needs to be <strong>reconnected</strong>: it no longer accepts this app's access to ${org}.</p>${details}${connect('Reconnect Hover')}</section>`;
  }
  if (!connection.integrationsEnabled) {
    return `<section class="card" id="connection"><p id="status">Hover is <strong>connected</strong> to ${org}, but its plan has <strong class="error">no third-party integrations</strong>. Integrations must be enabled on the organization: talk to your Hover account manager, then reconnect.</p>${details}<div class="actions"><a class="button" id="connect" href="/hover/authorize">Reconnect Hover</a>${disconnect}</div></section>`;
  }
  return `<section class="card" id="connection"><p id="status">Hover is <strong>connected</strong> (org ${org}).</p>${details}
<div class="actions"><a class="button" id="jobs" href="/jobs">Show my Hover jobs</a><a class="button secondary" id="connect" href="/hover/authorize">Reconnect</a>${disconnect}</div></section>`;
}

/** "2026-11-30 14:05:09 UTC (in 118 minutes)": to the second, so a refresh visibly moves it. */
function describeExpiry(expiresAt: Date): string {
  const minutes = Math.round((expiresAt.getTime() - Date.now()) / 60_000);
  const relative = minutes > 0 ? `in ${minutes} minutes` : minutes === 0 ? 'now' : `${-minutes} minutes ago`;
  return `${expiresAt.toISOString().replace('T', ' ').slice(0, 19)} UTC (${relative})`;
}
