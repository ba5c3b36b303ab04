import { HOVER_JOB_STATES, type HoverEmulator, type HoverEmulatorJobState } from '@hover-auth/emulator';
import { HoverConnectionsService, type HoverConnectionInfo } from '@hover-auth/nestjs';
import { Body, Controller, Injectable, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { connectionIdOf, requireUser } from './app-users';
import { escapeHtml } from './html';

/**
 * The emulator's job ids of an org: `orgId * 10000 + n` (its `seedJobs`; org 1's jobs are 10001…).
 * The panel only changes jobs of the signed-in user's own org.
 */
const JOB_IDS_PER_ORG = 10_000;

/** What the panel's job-state switch did. */
export type DevJobStateResult = 'job-state-sent' | 'job-state-unsent' | 'no-such-job' | 'not-connected' | 'unknown';

/** What the webhook events page says after the panel's job-state switch (`?dev=<result>`). */
export const DEV_JOB_STATE_TEXT: Readonly<Record<DevJobStateResult, string>> = {
  'job-state-sent': "Emulator: the job's state changed and Hover sent a job-state-changed webhook to this app. It appears below within a few seconds (no reload needed).",
  'job-state-unsent':
    "Emulator: the job's state changed (see your jobs list), but Hover sent no webhook: your org has no verified webhook (webhooks are off, or your connection has not registered one: see above).",
  'no-such-job': 'No job with this id in your Hover org: nothing was changed.',
  'not-connected': 'Connect Hover first: the switch acts on your connected org.',
  unknown: 'Unknown job state: nothing was changed.',
};

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
<li><strong>Webhooks</strong> (with <code>HOVER_WEBHOOK_URL</code> set): change a job's state with the last form below, as work on Hover would; Hover sends <code>job-state-changed</code> and it appears on <a href="/webhooks/events">Webhook events</a>.</li>
<li><strong>Another Hover org, or a plan without integrations at consent</strong>: on the consent page, "Not you?" signs in to Hover as another user (Bob's org <em>Budget Gutters</em> has no integrations). What Hover does then: ${blocking ? 'it stops on its own page (as Hover does)' : 'consent comes back to this app'}.</li>
</ul>
${button(blocking ? 'consent-allows' : 'consent-blocks', blocking ? 'Plan without integrations: let consent come back to the app' : 'Plan without integrations: stop on Hover at consent')}
${org ? button(org.integrations ? 'integrations-off' : 'integrations-on', `Turn integrations ${org.integrations ? 'off' : 'on'} for ${org.name}`) : ''}
${button('expire-tokens', 'Expire access tokens now')}
${button('revoke-tokens', 'Revoke all tokens (forces a reconnect)')}
${button(failing ? 'token-endpoint-ok' : 'token-endpoint-failing', failing ? 'Token endpoint: work again' : 'Token endpoint: fail with 503')}
${this.renderJobStateForm(connection)}
</section>`;
  }

  /**
   * A form that changes the state of a job of the user's org at the emulator, as work on Hover would:
   * Hover then sends `job-state-changed` to the org's verified webhooks (see `/webhooks/events`).
   * Empty when not connected.
   */
  renderJobStateForm(connection: HoverConnectionInfo | null): string {
    const orgId = Number(connection?.hoverOrgId);
    if (!Number.isSafeInteger(orgId) || orgId < 1) return '';
    const first = orgId * JOB_IDS_PER_ORG + 1;
    const states = HOVER_JOB_STATES.map((state) => `<option value="${state}"${state === 'complete' ? ' selected' : ''}>${state}</option>`).join('');
    return `<form method="post" action="/dev/emulator" id="dev-job-state-form" class="actions"><input type="hidden" name="action" value="job-state">
<label>Job <input type="number" name="jobId" id="dev-job-id" value="${first}" min="${first}" max="${first + JOB_IDS_PER_ORG - 2}" required></label>
<label>new state <select name="state" id="dev-job-state-select">${states}</select></label>
<button type="submit" class="secondary" id="dev-job-state">Change the job's state at Hover (sends a webhook)</button></form>`;
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
  async apply(@Body() body: Record<string, unknown> | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const user = requireUser(request);
    const emulator = this.panel.emulator;
    const action = body?.action;
    if (action === 'job-state') {
      const result = await this.changeJobState(connectionIdOf(user), body?.jobId, body?.state);
      response.redirect(303, `/webhooks/events?dev=${result}`);
      return;
    }
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

  /** The job-state switch: checks the job is of the user's org and the state is Hover's, then `setJobState`. */
  private async changeJobState(connectionId: string, jobIdField: unknown, stateField: unknown): Promise<DevJobStateResult> {
    const connection = await this.connections.get(connectionId);
    const orgId = Number(connection?.hoverOrgId);
    if (!connection || !Number.isSafeInteger(orgId)) return 'not-connected';
    if (!(HOVER_JOB_STATES as readonly unknown[]).includes(stateField)) return 'unknown';
    const jobId = typeof jobIdField === 'string' && /^[1-9]\d{0,14}$/.test(jobIdField) ? Number(jobIdField) : NaN;
    if (Math.floor(jobId / JOB_IDS_PER_ORG) !== orgId) return 'no-such-job';
    let sentTo: number[];
    try {
      sentTo = this.panel.emulator.setJobState(jobId, stateField as HoverEmulatorJobState);
    } catch {
      return 'no-such-job';
    }
    return sentTo.length > 0 ? 'job-state-sent' : 'job-state-unsent';
  }
}
