import { HoverEmulatorFaults } from './hover-emulator-faults.interface';
import { AccessTokenSigner } from './oauth/access-token-signer';
import { EmulatorStore } from './store/emulator-store';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/**
 * What the OAuth and API routers need from the emulator. Internal; built by `HoverEmulator`.
 */
export interface EmulatorContext {
  readonly store: EmulatorStore;
  readonly signer: AccessTokenSigner;
  /** Sends webhook events (asynchronously; never throws). */
  readonly webhooks: WebhookDispatcher;
  /** Access-token lifetime in SECONDS. */
  readonly accessTokenTtlSeconds: number;
  /** Authorization-code lifetime in SECONDS. */
  readonly authorizationCodeTtlSeconds: number;
  /** Current fault switches (a live view; read it per request). */
  faults(): Readonly<HoverEmulatorFaults>;
  /**
   * The `apiStatus` fault for the request at hand, or `null` when off. Uses up one of its `times`:
   * after the last one the fault is switched off, so call it once per request that it answers.
   */
  takeApiStatus(): HoverEmulatorFaults['apiStatus'];
  /** Current time in epoch MILLISECONDS. */
  now(): number;
  /**
   * Resolves after `ms` MILLISECONDS; never resolves if the emulator stops first (the timer is
   * cleared so Jest sees no open handle).
   */
  delay(ms: number): Promise<void>;
  /** Logs one line; callers never pass token, code or secret values. */
  log(line: string): void;
}
