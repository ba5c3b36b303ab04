import { Inject, Injectable } from '@nestjs/common';
import { LessThan, type Repository } from 'typeorm';
import { HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY } from '../hover-auth.constants';
import { HoverAuthorizationState } from '../tokens/hover-authorization-state.entity';

/**
 * Single use of `state` (RFC 6749 §10.12, RFC 9700 §4.7) across every app instance sharing the
 * database. A started flow lives in the browser's sealed flow cookie, not here: a row is written only
 * when a valid callback uses a state, so an anonymous flood of the authorize route writes nothing.
 */
@Injectable()
export class AuthorizationStateStore {
  constructor(
    @Inject(HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY)
    private readonly repository: Repository<HoverAuthorizationState>,
  ) {}

  /**
   * Records `state` as used, atomically: of two concurrent callbacks with the same state, exactly one
   * gets `true` (the primary key decides, on SQLite, PostgreSQL and MySQL/MariaDB alike). Rows of flows
   * that expired (they can no longer be replayed: the sealed flow carries its expiry) are deleted first.
   *
   * @param expiresAt when the flow expires, epoch milliseconds
   * @returns true if this call used the state, false if it was already used
   */
  async markUsed(state: string, connectionId: string, expiresAt: number): Promise<boolean> {
    const now = Date.now();
    await this.repository.delete({ expiresAt: LessThan(now) });
    try {
      await this.repository.insert({ state, connectionId, codeVerifier: null, browserBinding: null, returnTo: null, createdAt: now, expiresAt });
      return true;
    } catch (error) {
      // Already used (the primary key refused the insert); anything else is a real failure.
      if (await this.repository.existsBy({ state })) return false;
      throw error;
    }
  }
}
