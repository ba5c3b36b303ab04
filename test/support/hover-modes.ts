import type { HoverEmulatorFaults } from '@hover-auth/emulator';

/**
 * The behaviours Hover's OAuth server may have (which one it runs is unknown until tried on a live
 * account: shared/hover-reference.md, "Unknowns"). Refresh suites run under each.
 */
export const HOVER_MODES: Array<[string, Partial<HoverEmulatorFaults>]> = [
  ['rotation (a): old refresh token revoked at the refresh', { rotation: 'revoke-on-refresh', tokenErrorStatus: 'doorkeeper' }],
  ['rotation (b): old refresh token valid until the new access token is used', { rotation: 'revoke-on-first-use', tokenErrorStatus: 'doorkeeper' }],
  ['every token error is a 401 (older Doorkeeper, Hover FAQ)', { rotation: 'revoke-on-refresh', tokenErrorStatus: 'always-401' }],
];
