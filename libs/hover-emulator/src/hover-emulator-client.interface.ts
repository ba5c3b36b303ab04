/**
 * An OAuth client (Doorkeeper "application") registered at the emulator, as Hover's Settings →
 * Developer page would create it. Taken by `HoverEmulator.registerClient()`,
 * `startHoverEmulator({ client })` and `POST /__emulator/clients`.
 */
export interface HoverEmulatorClient {
  /** The `client_id` your app sends. Non-empty. */
  clientId: string;
  /** The `client_secret` your app sends to `/oauth/token`. Non-empty; use a fake value, never a real Hover secret. */
  clientSecret: string;
  /**
   * Absolute redirect URIs, compared as exact strings (Doorkeeper): `http://localhost:3000/hover/callback`
   * and `http://127.0.0.1:3000/hover/callback` are two different URIs, and the port must match.
   */
  redirectUris: string[];
  /** Name shown on the consent page ("Authorize <name> to use your Hover account?"). Default: `clientId`. */
  name?: string;
}
