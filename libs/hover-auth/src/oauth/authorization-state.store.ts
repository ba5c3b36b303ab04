import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { LessThan, type Repository } from 'typeorm';
import { AUTHORIZATION_STATE_TTL_SECONDS, HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY } from '../hover-auth.constants';
import { HoverAuthorizationState } from '../tokens/hover-authorization-state.entity';

/** What a flow remembers between the authorize redirect and the callback. */
export interface PendingAuthorizationRequest {
  /** The connection the flow will create or replace. */
  connectionId: string;
  /** PKCE code verifier (RFC 7636), or null/undefined without PKCE. */
  codeVerifier?: string | null;
  /** SHA-256 hex of the browser-binding cookie value. */
  browserBinding?: string | null;
  /** Validated same-origin path to return to. */
  returnTo?: string | null;
}

/**
 * Pending authorization requests keyed by `state` (RFC 6749 §10.12, RFC 9700 §4.7), stored in the
 * shared database so any app instance can finish a flow another one started.
 */
@Injectable()
export class AuthorizationStateStore {
  constructor(
    @Inject(HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY)
    private readonly repository: Repository<HoverAuthorizationState>,
  ) {}

  /**
   * Starts a flow.
   * @returns the new `state`: base64url of 32 random bytes (256 bits), valid for 600 seconds
   */
  async create(request: PendingAuthorizationRequest): Promise<string> {
    const now = Date.now();
    const state = randomBytes(32).toString('base64url');
    await this.repository.insert({
      state,
      connectionId: request.connectionId,
      codeVerifier: request.codeVerifier ?? null,
      browserBinding: request.browserBinding ?? null,
      returnTo: request.returnTo ?? null,
      createdAt: now,
      expiresAt: now + AUTHORIZATION_STATE_TTL_SECONDS * 1000,
    });
    // Opportunistic clean-up keeps abandoned flows from piling up; it never touches live states.
    await this.repository.delete({ expiresAt: LessThan(now) });
    return state;
  }

  /**
   * Reads a pending request without consuming it, so a callback from the wrong browser (a replayed or
   * stolen callback URL) can be refused without burning the real user's flow.
   * @returns the pending request, or `null` if the state is unknown, already used or expired
   */
  async find(state: string): Promise<HoverAuthorizationState | null> {
    const pending = await this.repository.findOneBy({ state });
    return pending && pending.expiresAt > Date.now() ? pending : null;
  }

  /**
   * Consumes `state` atomically: of two concurrent callbacks with the same state, exactly one gets the
   * pending request (the DELETE's affected-row count decides).
   *
   * @returns the pending request, or `null` if the state is unknown, already used or expired
   */
  async consume(state: string): Promise<HoverAuthorizationState | null> {
    const pending = await this.repository.findOneBy({ state });
    if (!pending) return null;
    const result = await this.repository.delete({ state });
    if (result.affected !== 1) return null;
    return pending.expiresAt > Date.now() ? pending : null;
  }
}
