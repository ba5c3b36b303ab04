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

  /** PKCE code verifier (RFC 7636 §4.1), sent with the code exchange; `null` when PKCE is off. Secret. */
  @Column({ name: 'code_verifier', type: 'varchar', length: 128, nullable: true })
  codeVerifier: string | null;

  /** SHA-256 (hex) of the browser-binding cookie of the browser that started the flow. */
  @Column({ name: 'browser_binding', type: 'varchar', length: 64, nullable: true })
  browserBinding: string | null;

  /** Same-origin path to send the browser to after connecting; `null` → `successRedirect`. */
  @Column({ name: 'return_to', type: 'varchar', length: 512, nullable: true })
  returnTo: string | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  createdAt: number;

  /** Epoch milliseconds; the state is refused after this instant. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  expiresAt: number;
}
