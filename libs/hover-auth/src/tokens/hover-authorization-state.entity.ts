import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillisecondsTransformer } from './epoch-milliseconds.transformer';

/**
 * A pending authorization request, keyed by its `state` (RFC 6749 §10.12, RFC 9700 §4.7). Kept in the
 * shared database so the authorize and callback requests may reach different app instances; deleted
 * when the callback consumes it. Table `hover_authorization_states`.
 */
@Entity({ name: 'hover_authorization_states' })
@Index('idx_hover_authorization_states_expires_at', ['expiresAt'])
export class HoverAuthorizationState {
  /** The `state` value sent to Hover (base64url of 32 random bytes). */
  @PrimaryColumn({ name: 'state', type: 'varchar', length: 128 })
  state: string;

  /** The connection the flow will create or replace. */
  @Column({ name: 'connection_id', type: 'varchar', length: 191 })
  connectionId: string;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  createdAt: number;

  /** Epoch milliseconds; the state is refused after this instant. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  expiresAt: number;
}
