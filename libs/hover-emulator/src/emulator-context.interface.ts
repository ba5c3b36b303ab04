import { HoverEmulatorFaults } from './hover-emulator-faults.interface';
import { AccessTokenSigner } from './oauth/access-token-signer';
import { EmulatorStore } from './store/emulator-store';

/**
 * What the OAuth and API routers need from the emulator. Internal; built by `HoverEmulator`.
 */
export interface EmulatorContext {
  readonly store: EmulatorStore;
  readonly signer: AccessTokenSigner;
  /** Access-token lifetime in SECONDS. */
  readonly accessTokenTtlSeconds: number;
  /** Authorization-code lifetime in SECONDS. */
  readonly authorizationCodeTtlSeconds: number;
  /** Current fault switches (a live view; read it per request). */
  faults(): Readonly<HoverEmulatorFaults>;
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
