import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillisecondsTransformer } from './epoch-milliseconds.transformer';

/**
 * A used `state` (RFC 6749 §10.12, RFC 9700 §4.7): written when a valid callback uses it, so a replay
 * of the same callback is refused by every app instance; deleted once the flow's 600 s have passed. A
 * started flow itself lives sealed in the browser's cookie (no row), so an anonymous flood of the
 * authorize route writes nothing. Table `hover_authorization_states`. The `code_verifier`,
 * `browser_binding` and `return_to` columns are no longer written (kept for the schema's stability).
 */
@Entity({ name: 'hover_authorization_states' })
@Index('idx_hover_authorization_states_expires_at', ['expiresAt'])
export class HoverAuthorizationState {
  /** The `state` value sent to Hover (base64url of 32 random bytes). */
  @PrimaryColumn({ name: 'state', type: 'varchar', length: 128 })
  state: string;

  /** The connection the flow created or replaced. */
  @Column({ name: 'connection_id', type: 'varchar', length: 191 })
  connectionId: string;

  /** Unused since flows are sealed in a cookie (always `null`). */
  @Column({ name: 'code_verifier', type: 'varchar', length: 128, nullable: true })
  codeVerifier: string | null;

  /** Unused since flows are sealed in a cookie (always `null`). */
  @Column({ name: 'browser_binding', type: 'varchar', length: 64, nullable: true })
  browserBinding: string | null;

  /** Unused since flows are sealed in a cookie (always `null`). */
  @Column({ name: 'return_to', type: 'varchar', length: 512, nullable: true })
  returnTo: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  createdAt: number;

  /** When the flow expired (its sealed cookie stops opening), epoch milliseconds; the row is deleted after it. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  expiresAt: number;
}
