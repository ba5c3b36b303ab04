/**
 * Constructor options of `HoverEmulator`. Every field is optional; defaults are listed per field.
 */
export interface HoverEmulatorOptions {
  /**
   * Lifetime of issued access tokens, in SECONDS; echoed as `expires_in` and used for the JWT `exp`.
   * Default `7200` (Hover: "access token 2 hours").
   */
  accessTokenTtlSeconds?: number;
  /**
   * Lifetime of authorization codes, in SECONDS. Default `600` (Doorkeeper's 10 minutes).
   */
  authorizationCodeTtlSeconds?: number;
  /**
   * Seed the default world at construction and on every `reset()`. Default `true`:
   * - client `DEFAULT_EMULATOR_CLIENT`;
   * - org 1 "Acme Roofing" (plan "Pro", integrations enabled) with 30 jobs;
   * - org 2 "Budget Gutters" (plan "Basic", no integrations) with 3 jobs;
   * - org 3 "Coastal Claims" (plan "Pro", integrations enabled) with 12 jobs;
   * - user 1 Alice Anders `alice@acme-roofing.example` (org 1, the default signed-in user),
   *   user 2 Bob Baker `bob@budget-gutters.example` (org 2) and
   *   user 3 Carol Chen `carol@coastal-claims.example` (org 3).
   * With `false` the emulator starts empty: register a client and seed an org and a user yourself.
   */
  seedDefaults?: boolean;
  /**
   * Receives one line per handled OAuth/API request and per control action (method, path, grant
   * type, status). Token, code and secret values are never passed. Default: no logging.
   */
  logger?: (line: string) => void;
}
