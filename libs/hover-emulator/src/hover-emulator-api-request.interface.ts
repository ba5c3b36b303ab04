/**
 * One request that reached the emulator's API (`/api/…`), as kept by `HoverEmulator.apiRequestLog()`
 * and `GET /__emulator/api-requests`: what a test needs to prove how a client paced and routed its
 * calls (e.g. a client-side limiter keeping ≤ 120 requests in any 60 s window per client id).
 */
export interface HoverEmulatorApiRequest {
  /** When the request arrived, in epoch MILLISECONDS (`Date.now()`), before any delay or fault. */
  at: number;
  /** HTTP method, upper case (`"GET"`). */
  method: string;
  /** Path without query string, e.g. `"/api/v3/jobs"`. */
  path: string;
  /**
   * HTTP status the emulator answered (200, 401, 403, 404, 429, a faulted 503, …), or `null` when no
   * answer was sent: still waiting in `apiDelayMs`, or the client or `stop()` closed the connection
   * first.
   */
  status: number | null;
  /**
   * Client id of the bearer token's row (the integration that called), or `null` when the request
   * carried no token the emulator issued. Resolved on arrival, so expired and revoked tokens still
   * name their client.
   */
  clientId: string | null;
}
