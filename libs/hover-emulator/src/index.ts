/**
 * Public API of `@hover-auth/emulator`: a local Hover OAuth server + API subset for tests and the
 * sample app, and test helpers that drive the consent flow without a browser. Everything else in this
 * folder is internal.
 */
export { HoverEmulator } from './hover-emulator';
export type { HoverEmulatorOptions } from './hover-emulator-options.interface';
export type { HoverEmulatorFaults } from './hover-emulator-faults.interface';
export type { HoverEmulatorClient } from './hover-emulator-client.interface';
export type { HoverEmulatorApiRequest } from './hover-emulator-api-request.interface';
export type { HoverEmulatorUser } from './hover-emulator-user.interface';
export type { HoverEmulatorOrg } from './hover-emulator-org.interface';
export type { HoverEmulatorWebhookDelivery } from './hover-emulator-webhook-delivery.interface';
export type { HoverEmulatorWebhook } from './hover-emulator-webhook.interface';
export { HOVER_JOB_STATES } from './hover-emulator-job-state';
export type { HoverEmulatorJobState } from './hover-emulator-job-state';
export { DEFAULT_EMULATOR_CLIENT } from './hover-emulator.constants';
export { startHoverEmulator } from './harness/start-hover-emulator';
export type { RunningHoverEmulator, StartHoverEmulatorOptions } from './harness/start-hover-emulator';
export { completeConsent } from './harness/complete-consent';
export type { CompleteConsentOptions, CompletedConsent } from './harness/complete-consent';
export { ConsentFlowError } from './harness/consent-flow.error';
export type { ConsentFlowFailure } from './harness/consent-flow.error';
