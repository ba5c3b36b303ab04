import { STATUS_CODES } from 'http';
import { NextFunction, Request, Response } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { HoverEmulatorFaults } from '../hover-emulator-faults.interface';
import { findBearerTokenRow } from './bearer-auth';

/**
 * Express middleware for everything under `/api`, standing for what answers in front of Hover's
 * Rails app, in this order:
 * 1. count the request by path and append it to the API request log (its client id read from the
 *    bearer token's row, valid or not) — so every request is counted, whatever answers it;
 * 2. wait `apiDelayMs` MILLISECONDS (every answer is slow, the faulted ones too);
 * 3. `apiRateLimit`: over the client's budget → 429 `{"error":"too_many_requests"}`, no headers;
 * 4. `apiStatus`: its status, optional `Retry-After`, its body (one of its `times` used up).
 * Then the route's own checks run: bearer token (401), the org's integrations (403), the answer.
 *
 * Steps 3 and 4 come BEFORE the bearer-token check on purpose: a rate limiter (Rack::Attack and the
 * like) or a load balancer / gateway answers 429, 502, 503 or 504 without ever reaching the code that
 * validates tokens, so a client may well get a 503 for an expired token and must not take a 429 or
 * 503 as a verdict on its token. The limiter still needs the client id, which it reads from the token
 * row without judging it, as a gateway keyed on the API credential would.
 */
export function createApiGateway(ctx: EmulatorContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const path = `/api${req.path}`;
    const clientId = findBearerTokenRow(ctx, req)?.clientId ?? null;
    ctx.store.countApiRequest(path);
    const entry = ctx.store.logApiRequest({ at: ctx.now(), method: req.method, path, status: null, clientId });
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    const { apiDelayMs } = ctx.faults();
    if (apiDelayMs > 0) await ctx.delay(apiDelayMs);

    // Faults are read again after the delay: a test may have changed them meanwhile.
    const limit = ctx.faults().apiRateLimit;
    if (limit !== null && clientId !== null && !ctx.store.admitApiRequest(clientId, ctx.now(), limit)) {
      // Hover documents the 429 and no rate-limit or Retry-After headers, so none are sent.
      res.status(429).json({ error: reasonCode(429) });
      return;
    }

    const fault = ctx.takeApiStatus();
    if (fault !== null) {
      sendApiStatus(res, fault);
      return;
    }
    next();
  };
}

function sendApiStatus(res: Response, fault: NonNullable<HoverEmulatorFaults['apiStatus']>): void {
  res.status(fault.status);
  if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
  // setHeader + end rather than res.type().send(): the Content-Type goes out exactly as given.
  res.setHeader('Content-Type', fault.contentType ?? 'application/json; charset=utf-8');
  res.end(fault.body ?? JSON.stringify({ error: reasonCode(fault.status) }));
}

/** The status's reason phrase in snake case: 429 → `too_many_requests`, 503 → `service_unavailable`. */
function reasonCode(status: number): string {
  const phrase = STATUS_CODES[status];
  return phrase ? phrase.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') : `http_${status}`;
}
