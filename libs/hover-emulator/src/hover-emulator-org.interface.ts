/** A seeded org, as listed by `HoverEmulator.orgs()` and `GET /__emulator/orgs`. */
export interface HoverEmulatorOrg {
  /** The org's numeric id (the token answer's `owner_id`). */
  id: number;
  name: string;
  /** e.g. `"Pro"`, `"Basic"`. */
  planName: string;
  /** Whether the plan currently includes third-party integrations (`feature_access.integrations`). */
  integrations: boolean;
}
