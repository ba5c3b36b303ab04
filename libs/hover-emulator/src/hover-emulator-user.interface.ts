/**
 * A seeded user who can sign in on the consent page, as listed by `HoverEmulator.users()` and
 * `GET /__emulator/users` (e.g. to build a dev panel of who can connect).
 */
export interface HoverEmulatorUser {
  id: number;
  email: string;
  /** `"<firstName> <lastName>"`, e.g. `"Alice Anders"`. */
  name: string;
  /** Id of the user's org: the token answer's `owner_id` after this user clicks Allow. */
  orgId: number;
  orgName: string;
  /** Whether the org's plan currently includes third-party integrations (else consent is blocked by default). */
  integrations: boolean;
}
