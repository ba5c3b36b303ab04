import { HoverEmulator } from '../hover-emulator';
import { DEFAULT_EMULATOR_CLIENT } from '../hover-emulator.constants';
import { HoverEmulatorClient } from '../hover-emulator-client.interface';
import { HoverEmulatorOptions } from '../hover-emulator-options.interface';
import { completeConsent, CompleteConsentOptions, CompletedConsent } from './complete-consent';

/** Options of `startHoverEmulator`: the `HoverEmulator` constructor options plus where to listen and a client. */
export interface StartHoverEmulatorOptions extends HoverEmulatorOptions {
  /** TCP port on 127.0.0.1. Default `0`: a free port chosen by the OS (read it from `baseUrl`). */
  port?: number;
  /**
   * A client to register before the emulator starts listening, usually your app's test client_id,
   * secret and redirect URI. Default: none (with `seedDefaults` on, `DEFAULT_EMULATOR_CLIENT` is
   * registered anyway).
   */
  client?: HoverEmulatorClient;
}

/** A started emulator, as returned by `startHoverEmulator`. */
export interface RunningHoverEmulator {
  /**
   * The emulator itself: seeding, `setOrgIntegrations()`, faults (`setFaults({ apiStatus, apiDelayMs,
   * apiRateLimit, … })`), counters (`tokenRequestCount()`, `apiRequestCount()`), the API request log
   * (`apiRequestLog()`), `reset()`.
   */
  emulator: HoverEmulator;
  /** Base URL without trailing slash, e.g. `"http://127.0.0.1:54321"`: your app's Hover base URL. */
  baseUrl: string;
  /**
   * The client registered by this call (`options.client`), else `DEFAULT_EMULATOR_CLIENT` when the
   * default world is seeded, else `null`.
   */
  client: HoverEmulatorClient | null;
  /** `completeConsent` against this emulator; see `completeConsent` for options, result and errors. */
  completeConsent(options: Omit<CompleteConsentOptions, 'emulator'>): Promise<CompletedConsent>;
  /** Stops listening and closes every open socket. Idempotent. Call it in `afterAll`. */
  stop(): Promise<void>;
}

/**
 * Starts a `HoverEmulator` in this process on 127.0.0.1 and, optionally, registers your app's client
 * in the same call. Each call makes an independent emulator with its own in-memory state.
 *
 * @param options `HoverEmulatorOptions` (lifetimes in SECONDS, `seedDefaults`, `logger`) plus
 *   `port` (default `0` = free port) and `client` (`{ clientId, clientSecret, redirectUris, name? }`)
 * @returns `{ emulator, baseUrl, client, completeConsent(), stop() }`
 * @throws TypeError when `client` is malformed (missing id or secret, a redirect URI that is not an
 *   absolute URL), RangeError for a bad lifetime or port, or the listen error (e.g. `EADDRINUSE`);
 *   nothing is left listening when it throws
 *
 * @example
 * const hover = await startHoverEmulator({
 *   client: { clientId: 'test-client', clientSecret: 'test-secret', redirectUris: ['http://127.0.0.1:3000/hover/callback'] },
 * });
 * // configure your app with baseUrl: hover.baseUrl, then:
 * const result = await hover.completeConsent({ authorizeUrl: 'http://127.0.0.1:3000/hover/authorize' });
 * await hover.stop();
 */
export async function startHoverEmulator(options: StartHoverEmulatorOptions = {}): Promise<RunningHoverEmulator> {
  const { port = 0, client, ...emulatorOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`startHoverEmulator: port must be an integer 0-65535 (0 = a free port), got ${String(port)}.`);
  }
  const emulator = new HoverEmulator(emulatorOptions);
  if (client) emulator.registerClient(client);
  const baseUrl = await emulator.start(port);
  const registered = client ? copyClient(client) : emulatorOptions.seedDefaults === false ? null : copyClient(DEFAULT_EMULATOR_CLIENT);
  return {
    emulator,
    baseUrl,
    client: registered,
    completeConsent: (consent) => completeConsent({ ...consent, emulator }),
    stop: () => emulator.stop(),
  };
}

function copyClient(client: HoverEmulatorClient): HoverEmulatorClient {
  return { ...client, redirectUris: [...client.redirectUris] };
}
