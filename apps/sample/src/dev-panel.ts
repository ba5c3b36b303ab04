import type { HoverEmulator } from '@hover-auth/emulator';
import { HoverConnectionsService, type HoverConnectionInfo } from '@hover-auth/nestjs';
import { Body, Controller, Injectable, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { connectionIdOf, requireUser } from './app-users';
import { escapeHtml } from './html';

/**
 * The developer panel of the home page, present only when the sample runs on its in-process emulator:
 * switches that make the emulator show every state without finding its port or calling its control
 * routes by hand. Each is a form POSTing to `/dev/emulator` (same origin; the session cookie is
 * SameSite=Lax, so another site cannot post it for a signed-in user).
 */
@Injectable()
export class DevPanel {
  constructor(readonly emulator: HoverEmulator) {}

  /** The panel's HTML for the signed-in user's connection (`null` when not connected). */
  render(connection: HoverConnectionInfo | null): string {
    const faults = this.emulator.faults;
    const button = (action: string, label: string) =>
      `<form method="post" action="/dev/emulator"><input type="hidden" name="action" value="${action}"><button type="submit" class="secondary" id="dev-${action}">${escapeHtml(label)}</button></form>`;
    const blocking = faults.consentWithoutIntegrations === 'block';
    const failing = faults.tokenEndpointStatus !== null;
    // The org's state at the emulator (what the next profile read will say), not the stored flag,
    // which follows only after hover-auth re-reads it.
    const org = connection?.hoverOrgId ? this.emulator.orgs().find((candidate) => String(candidate.id) === connection.hoverOrgId) : undefined;
    return `<section class="card dev" id="dev-panel"><h2>Developer panel</h2><p class="where">Local Hover emulator at ${escapeHtml(this.emulator.baseUrl)}</p>
<p>Shown only when <code>HOVER_BASE_URL</code> is unset. Each switch changes the emulator; the README's "Tour" lists what to look at.</p>
<ul>
<li><strong>Deny</strong>: click Connect, then <em>Deny</em> on the consent page.</li>
<li><strong>Another Hover org, or a plan without integrations at consent</strong>: on the consent page, "Not you?" signs in to Hover as another user (Bob's org <em>Budget Gutters</em> has no integrations). What Hover does then: ${blocking ? 'it stops on its own page (as Hover does)' : 'consent comes back to this app'}.</li>
</ul>
${button(blocking ? 'consent-allows' : 'consent-blocks', blocking ? 'Plan without integrations: let consent come back to the app' : 'Plan without integrations: stop on Hover at consent')}
${org ? button(org.integrations ? 'integrations-off' : 'integrations-on', `Turn integrations ${org.integrations ? 'off' : 'on'} for ${org.name}`) : ''}
${button('expire-tokens', 'Expire access tokens now')}
${button('revoke-tokens', 'Revoke all tokens (forces a reconnect)')}
${button(failing ? 'token-endpoint-ok' : 'token-endpoint-failing', failing ? 'Token endpoint: work again' : 'Token endpoint: fail with 503')}
</section>`;
  }
}

/** `POST /dev/emulator` with `action=<switch>`: applies it and returns to the home page with a notice. */
@Controller('dev/emulator')
export class DevPanelController {
  constructor(
    private readonly panel: DevPanel,
    private readonly connections: HoverConnectionsService,
  ) {}

  @Post()
  async apply(@Body('action') action: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const user = requireUser(request);
    const emulator = this.panel.emulator;
    let notice = String(action);
    switch (action) {
      case 'integrations-off':
      case 'integrations-on': {
        const connection = await this.connections.get(connectionIdOf(user));
        if (!connection?.hoverOrgId) {
          notice = 'not-connected';
          break;
        }
        emulator.setOrgIntegrations(Number(connection.hoverOrgId), action === 'integrations-on');
        break;
      }
      case 'expire-tokens':
        emulator.expireAccessTokens();
        break;
      case 'revoke-tokens':
        emulator.revokeAllTokens();
        break;
      case 'token-endpoint-failing':
      case 'token-endpoint-ok':
        emulator.setFaults({ tokenEndpointStatus: action === 'token-endpoint-failing' ? 503 : null });
        break;
      case 'consent-blocks':
      case 'consent-allows':
        emulator.setFaults({ consentWithoutIntegrations: action === 'consent-blocks' ? 'block' : 'allow' });
        break;
      default:
        notice = 'unknown';
    }
    response.redirect(303, `/?dev=${encodeURIComponent(notice)}`);
  }
}
