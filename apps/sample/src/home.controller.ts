import { DEFAULT_CONNECTION_ID, HoverConnectionsService } from '@hover-auth/nestjs';
import { Controller, Get, Header, Query } from '@nestjs/common';
import { escapeHtml, page } from './html';

const FAILURE_TEXT: Record<string, string> = {
  access_denied: 'You cancelled the connection on Hover.',
  token_exchange_failed: 'Hover did not accept the authorization code. Please try again.',
  hover_unavailable: 'Hover could not be reached. Please try again in a moment.',
  configuration_error: 'The app is misconfigured (client id or secret). Check the server log.',
  authorization_failed: 'Hover could not complete the authorization. Please try again.',
};

/** Home page: connection status and the "Connect Hover" button. */
@Controller()
export class HomeController {
  constructor(private readonly connections: HoverConnectionsService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async home(@Query('hover_error') hoverError?: unknown, @Query('connected') connected?: unknown): Promise<string> {
    const parts = ['<h1>Hover sample app</h1>'];
    const connection = await this.connections.get(DEFAULT_CONNECTION_ID);
    if (connection && !connection.tokensReadable) {
      // E.g. HOVER_ENCRYPTION_KEYS changed without re-encrypting: say so, and offer to reconnect.
      parts.push(
        '<p class="error" id="status">The stored Hover connection cannot be decrypted with the configured HOVER_ENCRYPTION_KEYS (see the README, "Tokens at rest"). Reconnect to replace it.</p>',
        '<p><a class="button" id="connect" href="/hover/authorize">Reconnect Hover</a></p>',
      );
      return page('Hover sample app', parts.join('\n'));
    }
    if (typeof hoverError === 'string') {
      parts.push(`<p class="error" id="hover-error">${escapeHtml(FAILURE_TEXT[hoverError] ?? `Connecting to Hover failed (${hoverError}).`)}</p>`);
    }
    if (connected === '1' && connection) parts.push('<p class="ok">Hover is now connected.</p>');
    if (!connection) {
      parts.push('<p id="status">Hover is <strong>not connected</strong>.</p>');
    } else if (connection.status !== 'active') {
      parts.push('<p id="status">Hover needs to be <strong>reconnected</strong>.</p>');
    } else {
      parts.push(
        `<p id="status">Hover is <strong>connected</strong> (org ${escapeHtml(connection.hoverOrgName ?? connection.hoverOrgId ?? 'unknown')}${connection.integrationsEnabled ? '' : ', <span class="error">plan without integrations</span>'}).</p>`,
        '<p><a id="jobs" href="/jobs">Show my Hover jobs</a></p>',
      );
    }
    parts.push(`<p><a class="button" id="connect" href="/hover/authorize">${connection ? 'Reconnect Hover' : 'Connect Hover'}</a></p>`);
    return page('Hover sample app', parts.join('\n'));
  }
}
