import {
  HoverConnectionsService,
  HoverWebhooksService,
  InjectHoverAuthOptions,
  prefersHtml,
  type HoverConnectionInfo,
  type HoverWebhookInfo,
  type ResolvedHoverAuthOptions,
} from '@hover-auth/nestjs';
import { Controller, Get, Header, Headers, Inject, Optional, Query, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import { connectionIdOf, requireUser } from './app-users';
import { DEV_JOB_STATE_TEXT, DevPanel } from './dev-panel';
import { escapeHtml, page } from './html';
import { WebhookEventRecorder, type RecordedWebhookEvent } from './webhook-event-recorder';
import { WEBHOOK_EVENTS_LIVE_SCRIPT, WEBHOOK_EVENTS_LIVE_SCRIPT_PATH, WEBHOOK_EVENTS_POLL_SECONDS } from './webhook-events-live-script';

/** A webhook stored for the user's connection, as `GET /webhooks/events` answers it (never its secret). */
export interface WebhookStatus {
  webhookId: string;
  url: string;
  /** ISO 8601; `null` while Hover's verification code has not come back (no events yet). */
  verifiedAt: string | null;
  createdAt: string;
}

/** The JSON answer of `GET /webhooks/events` (signed-in user's view). */
export interface WebhookEventsAnswer {
  /** Whether `HOVER_WEBHOOK_URL` is set (the receiving route is mounted and connections register webhooks). */
  enabled: boolean;
  /** `HOVER_WEBHOOK_URL`, or `null` when webhooks are off. */
  webhookUrl: string | null;
  /** The webhooks serving the signed-in user's connection: its org's (oldest first). */
  webhooks: WebhookStatus[];
  /** Events received for the signed-in user's Hover org, newest first (the last 200 of all users are kept). */
  events: RecordedWebhookEvent[];
}

/**
 * `GET /webhooks/events`: the Hover webhook events this app received and dispatched for the signed-in
 * user's connection (newest first, each with event name, job id, state and time), with whether
 * webhooks are on and the connection's webhook status. JSON for API clients; a page for browsers that
 * redraws its list every 2 s (`GET /webhooks/live.js`). Signed-in users only.
 */
@Controller('webhooks')
export class WebhooksController {
  constructor(
    @InjectHoverAuthOptions() private readonly options: ResolvedHoverAuthOptions,
    private readonly webhooks: HoverWebhooksService,
    private readonly connections: HoverConnectionsService,
    private readonly recorder: WebhookEventRecorder,
    private readonly config: ConfigService,
    @Optional() @Inject(DevPanel) private readonly devPanel?: DevPanel,
  ) {}

  @Get('events')
  @Header('Cache-Control', 'no-store')
  async events(@Req() request: Request, @Res() response: Response, @Headers('accept') accept: string | undefined, @Query('dev') dev: unknown): Promise<void> {
    const user = requireUser(request);
    const connectionId = connectionIdOf(user);
    const webhookUrl = this.options.webhook ? this.options.webhook.url : null;
    const connection = await this.connections.get(connectionId);
    const answer: WebhookEventsAnswer = {
      enabled: webhookUrl !== null,
      webhookUrl,
      webhooks: (await this.webhooks.listStored(connectionId)).map(toStatus),
      events: this.recorder.list(connection?.hoverOrgId ?? null),
    };
    if (!prefersHtml(accept)) {
      response.json(answer);
      return;
    }
    const parts = ['<h1>Hover webhooks</h1>'];
    if (typeof dev === 'string' && Object.hasOwn(DEV_JOB_STATE_TEXT, dev)) {
      parts.push(`<p class="notice" id="dev-notice">${escapeHtml(DEV_JOB_STATE_TEXT[dev as keyof typeof DEV_JOB_STATE_TEXT])}</p>`);
    }
    parts.push(this.settingsCard(answer, connection), eventsCard(answer));
    const jobStateForm = this.devPanel?.renderJobStateForm(connection) ?? '';
    if (jobStateForm) {
      parts.push(`<section class="card dev" id="dev-panel"><h2>Developer panel</h2><p>Change a job's state at the in-process emulator, as work on Hover would; Hover then sends <code>job-state-changed</code> to your org's verified webhook.</p>${jobStateForm}</section>`);
    }
    parts.push('<p><a href="/" id="home">Home</a> · <a href="/jobs">Your Hover jobs</a></p>');
    response.type('html').send(page('Hover webhooks', parts.join('\n'), user, answer.enabled ? [WEBHOOK_EVENTS_LIVE_SCRIPT_PATH] : []));
  }

  /** The page's script (see {@link WEBHOOK_EVENTS_LIVE_SCRIPT}); the same for everyone, no data in it. */
  @Get('live.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  liveScript(): string {
    return WEBHOOK_EVENTS_LIVE_SCRIPT;
  }

  /** Whether webhooks are on (and how to turn them on), and the user's connection's webhook. */
  private settingsCard(answer: WebhookEventsAnswer, connection: HoverConnectionInfo | null): string {
    const lines: string[] = [];
    if (answer.webhookUrl !== null) {
      lines.push(
        `<p id="webhooks-state" data-enabled="true">Webhooks are <strong>on</strong>: Hover sends job updates to <code id="webhook-url">${escapeHtml(answer.webhookUrl)}</code> (<code>HOVER_WEBHOOK_URL</code>), and this app receives them there.</p>`,
      );
    } else {
      const example = `http://localhost:${this.config.get<number>('port') ?? 3000}/hover/webhooks`;
      lines.push(
        '<p id="webhooks-state" data-enabled="false">Webhooks are <strong>off</strong>: this app receives no job updates from Hover (no receiving route is mounted, no webhook is registered).</p>',
        `<p id="webhooks-how">To turn them on, start the sample with <code>HOVER_WEBHOOK_URL=${escapeHtml(example)}</code>: the public URL of the route that receives Hover's webhooks (the sample mounts it at that URL's path). With the real Hover it must be an <code>https://</code> address Hover can reach. Then connect (or reconnect) Hover: the sample registers your org's webhook right after.</p>`,
      );
    }
    lines.push(webhookStatus(answer, connection));
    return `<section class="card" id="webhook-settings">${lines.join('\n')}</section>`;
  }
}

/** The connection's webhook as a sentence (`data-status`: not-connected, none, waiting, verified). */
function webhookStatus(answer: WebhookEventsAnswer, connection: HoverConnectionInfo | null): string {
  const time = (iso: string) => `<time datetime="${iso}">${utc(iso)}</time>`;
  const latest = answer.webhooks.at(-1);
  if (latest) {
    const what = `Your connection's webhook <strong id="webhook-id">${escapeHtml(latest.webhookId)}</strong> was registered at Hover ${time(latest.createdAt)}`;
    return latest.verifiedAt
      ? `<p id="webhook-status" data-status="verified">${what} and <strong>verified</strong> ${time(latest.verifiedAt)}: Hover sends it your org's job updates.</p>`
      : `<p id="webhook-status" data-status="waiting">${what}; it is <strong>waiting for Hover's verification</strong> and receives no events until then.</p>`;
  }
  if (!connection) {
    const connect = answer.enabled ? ' Connecting registers your org\'s webhook. <a class="button" id="connect" href="/hover/authorize">Connect Hover</a>' : '';
    return `<p id="webhook-status" data-status="not-connected">Hover is <strong>not connected</strong>.${connect}</p>`;
  }
  return answer.enabled
    ? '<p id="webhook-status" data-status="none">No webhook is registered for your connection yet (it is registered in the background right after a connect; reload in a moment, or reconnect Hover if you connected before webhooks were on). <a class="button secondary" id="connect" href="/hover/authorize">Reconnect Hover</a></p>'
    : '<p id="webhook-status" data-status="none">No webhook is registered for your connection.</p>';
}

/** The events table, newest first; the page's script redraws its rows. */
function eventsCard(answer: WebhookEventsAnswer): string {
  const rows = answer.events
    .map((event) => {
      const attributes = [`data-event="${escapeHtml(event.event)}"`];
      if (event.jobId !== null) attributes.push(`data-job-id="${event.jobId}"`);
      if (event.state !== null) attributes.push(`data-state="${escapeHtml(event.state)}"`);
      return `<tr ${attributes.join(' ')}><td><time datetime="${event.receivedAt}">${utc(event.receivedAt)}</time></td><td>${escapeHtml(event.event)}</td><td>${event.jobId ?? ''}</td><td>${escapeHtml(event.state ?? '')}</td></tr>`;
    })
    .join('');
  const empty = '<tr id="no-webhook-events"><td colspan="4">No events yet.</td></tr>';
  const live = answer.enabled
    ? `Newest first. Updated by itself every ${WEBHOOK_EVENTS_POLL_SECONDS} seconds.`
    : 'Newest first. Nothing arrives while webhooks are off.';
  return `<section class="card" id="webhook-events-card"><h2>Events received</h2><p class="muted" id="live-status">${live}</p>
<table id="webhook-events"><thead><tr><th>Received</th><th>Event</th><th>Job</th><th>State</th></tr></thead><tbody id="webhook-events-body">${rows || empty}</tbody></table></section>`;
}

function toStatus(webhook: HoverWebhookInfo): WebhookStatus {
  return {
    webhookId: webhook.webhookId,
    url: webhook.url,
    verifiedAt: webhook.verifiedAt?.toISOString() ?? null,
    createdAt: webhook.createdAt.toISOString(),
  };
}

/** `2026-11-30 14:05:09 UTC` from an ISO time. */
function utc(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}
