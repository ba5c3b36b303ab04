/**
 * Names of the lifecycle events hover-auth emits through `@nestjs/event-emitter` when the host app has
 * it (`EventEmitterModule.forRoot()`); without it nothing is emitted and nothing breaks. Listen with
 * `@OnEvent(HOVER_EVENTS.REFRESHED)`, or `@OnEvent('hover.connection.*')` with wildcards on.
 *
 * Each event is emitted once per change, by the app instance that made it (the one whose database write
 * changed the row), so with several instances a listener runs once per change, not once per instance.
 * Payloads never carry tokens, codes or secrets.
 */
export const HOVER_EVENTS = {
  /** A connection was made for the first time (or made again for the same Hover org). Payload {@link HoverConnectedEvent}. */
  CONNECTED: 'hover.connection.connected',
  /** A connection was made again and now acts for a different Hover org than before. Payload {@link HoverConnectedEvent}. */
  RECONNECTED_TO_DIFFERENT_ORG: 'hover.connection.reconnected_to_different_org',
  /** The access token was refreshed (the refresh token rotated). Payload {@link HoverRefreshedEvent}. */
  REFRESHED: 'hover.connection.refreshed',
  /** Hover refused the refresh token; a user must connect again. Payload {@link HoverReauthorizationRequiredEvent}. */
  REAUTHORIZATION_REQUIRED: 'hover.connection.reauthorization_required',
  /** The org gained or lost third-party integrations. Payload {@link HoverIntegrationsChangedEvent}. */
  INTEGRATIONS_CHANGED: 'hover.connection.integrations_changed',
  /** The connection was deleted (disconnect). Payload {@link HoverDisconnectedEvent}. */
  DISCONNECTED: 'hover.connection.disconnected',
  /** Hover confirmed the verification code of a webhook this connection holds: the org's events now arrive (option `webhook`). Payload {@link HoverWebhookVerifiedEvent}. */
  WEBHOOK_VERIFIED: 'hover.connection.webhook_verified',
} as const;

/** One of the values of {@link HOVER_EVENTS}. */
export type HoverEventName = (typeof HOVER_EVENTS)[keyof typeof HOVER_EVENTS];

/** Fields every hover-auth event carries. */
export interface HoverConnectionEvent {
  /** The host app's connection id. */
  connectionId: string;
  /** When it happened, epoch milliseconds. */
  at: number;
}

/** Payload of {@link HOVER_EVENTS.CONNECTED} and {@link HOVER_EVENTS.RECONNECTED_TO_DIFFERENT_ORG}. */
export interface HoverConnectedEvent extends HoverConnectionEvent {
  /** The Hover org the connection now acts for, or `null` if the profile named none. */
  hoverOrgId: string | null;
  hoverOrgName: string | null;
  /** The org before this connect: `null` for a first connection. */
  previousHoverOrgId: string | null;
  /** Whether the org has third-party integrations (`feature_access.integrations`). */
  integrationsEnabled: boolean;
}

/** Payload of {@link HOVER_EVENTS.REFRESHED}. */
export interface HoverRefreshedEvent extends HoverConnectionEvent {
  /** When the new access token expires, epoch milliseconds. */
  accessTokenExpiresAt: number;
}

/** Payload of {@link HOVER_EVENTS.REAUTHORIZATION_REQUIRED}. */
export interface HoverReauthorizationRequiredEvent extends HoverConnectionEvent {
  /** Why: `invalid_grant` (Hover refused the refresh token) or `no_refresh_token` (none was ever issued). */
  reason: 'invalid_grant' | 'no_refresh_token';
}

/** Payload of {@link HOVER_EVENTS.INTEGRATIONS_CHANGED}. */
export interface HoverIntegrationsChangedEvent extends HoverConnectionEvent {
  hoverOrgId: string | null;
  /** The new value of the stored flag. */
  integrationsEnabled: boolean;
  /** What made hover-auth read the profile: the periodic re-check, or a 403 from Hover's API. */
  trigger: 'schedule' | 'api_forbidden';
}

/** Payload of {@link HOVER_EVENTS.DISCONNECTED}. */
export interface HoverDisconnectedEvent extends HoverConnectionEvent {}

/** Payload of {@link HOVER_EVENTS.WEBHOOK_VERIFIED}. */
export interface HoverWebhookVerifiedEvent extends HoverConnectionEvent {
  /** Hover's webhook id, as text. */
  webhookId: string;
  /** The org whose events it receives, or `null` when Hover did not say. */
  hoverOrgId: string | null;
}

/** Payload type of each event name. */
export interface HoverEventPayloads {
  'hover.connection.connected': HoverConnectedEvent;
  'hover.connection.reconnected_to_different_org': HoverConnectedEvent;
  'hover.connection.refreshed': HoverRefreshedEvent;
  'hover.connection.reauthorization_required': HoverReauthorizationRequiredEvent;
  'hover.connection.integrations_changed': HoverIntegrationsChangedEvent;
  'hover.connection.disconnected': HoverDisconnectedEvent;
  'hover.connection.webhook_verified': HoverWebhookVerifiedEvent;
}
