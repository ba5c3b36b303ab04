import { Inject, Injectable, Logger } from '@nestjs/common';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import {
  HoverInvalidClientException,
  HoverInvalidGrantException,
  HoverInvalidTokenResponseException,
  HoverTokenEndpointException,
  HoverTokenEndpointTimeoutException,
  HoverTokenEndpointUnavailableException,
} from '../exceptions/hover-token-endpoint.exceptions';
import { parseRetryAfterSeconds } from '../exceptions/hover-api.exception';
import type { HoverTokenSet } from './hover-token-set';
import { readTokenResponse } from './token-response';

const errorResponseSchema = z.object({ error: z.string().min(1) });

/** Largest token endpoint answer read, in bytes; a token response is well under 4 KiB. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/**
 * Client of Hover's token endpoint (`{baseUrl}/oauth/token`, RFC 6749 §3.2): exchanges authorization
 * codes (§4.1.3) and refresh tokens (§6), validates the answer (§5.1) and classifies failures (§5.2).
 *
 * It has its own axios instance on purpose, not the module's `HttpService`: the API instance carries
 * the bearer/refresh hooks, and token endpoint traffic must never pass through them (a 401 from the
 * token endpoint would otherwise trigger a refresh from inside a refresh).
 */
@Injectable()
export class TokenEndpointClient {
  private readonly logger = new Logger('HoverAuth');
  private readonly axios: AxiosInstance;

  constructor(@Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions) {
    this.axios = axios.create({
      timeout: options.httpTimeoutMs,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
    });
  }

  /**
   * Exchanges an authorization code (RFC 6749 §4.1.3), with the PKCE code verifier when the flow used
   * one (RFC 7636 §4.5).
   * @throws {HoverTokenEndpointException} (or a subclass) on any failure
   */
  exchangeAuthorizationCode(code: string, codeVerifier?: string | null): Promise<HoverTokenSet> {
    return this.request({ grant_type: 'authorization_code', code, ...(codeVerifier ? { code_verifier: codeVerifier } : {}) }, this.options.httpTimeoutMs);
  }

  /**
   * Redeems a refresh token (RFC 6749 §6). Hover rotates it: the answer carries a new refresh token and
   * the one sent becomes invalid.
   * @param timeoutMs total time allowed for the request, in milliseconds (1–600000); default
   *   `httpTimeoutMs`. The token manager passes a longer one than its callers wait: see
   *   `REFRESH_REQUEST_TIMEOUT_MS`.
   * @throws {HoverInvalidGrantException} when Hover refuses the refresh token (400 or 401)
   * @throws {HoverTokenEndpointTimeoutException} when no answer came within the time allowed
   * @throws {HoverTokenEndpointException} (or a subclass) on any other failure
   */
  refresh(refreshToken: string, timeoutMs: number = this.options.httpTimeoutMs): Promise<HoverTokenSet> {
    return this.request({ grant_type: 'refresh_token', refresh_token: refreshToken }, timeoutMs);
  }

  private async request(grant: Record<string, string>, requestedTimeoutMs: number): Promise<HoverTokenSet> {
    const timeoutMs = Math.max(1, Math.min(600_000, Math.floor(requestedTimeoutMs)));
    const fields: Record<string, string> = {
      ...grant,
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      redirect_uri: this.options.redirectUri,
    };
    let response: AxiosResponse<string>;
    try {
      response = await this.axios.post<string>(this.options.tokenEndpoint, this.encode(fields), {
        headers: { Accept: 'application/json' },
        // A total deadline: axios's `timeout` alone is reset by a server that trickles bytes.
        signal: AbortSignal.timeout(timeoutMs),
        timeout: timeoutMs,
      });
    } catch (error) {
      if (axios.isAxiosError(error) && ['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED'].includes(error.code ?? '')) {
        throw new HoverTokenEndpointTimeoutException(timeoutMs);
      }
      if (axios.isAxiosError(error) && /maxContentLength/.test(error.message)) {
        throw new HoverInvalidTokenResponseException(`Hover's token endpoint answer exceeded ${MAX_TOKEN_RESPONSE_BYTES} bytes.`, null);
      }
      // The axios error holds the request body (client secret, code): only its code goes further.
      const reason = axios.isAxiosError(error) ? (error.code ?? 'network error') : 'unexpected error';
      throw new HoverTokenEndpointUnavailableException(`Hover's token endpoint could not be reached (${reason}).`, null);
    }
    const receivedAt = Date.now();
    return this.parse(response, grant.grant_type, receivedAt);
  }

  private encode(fields: Record<string, string>): unknown {
    switch (this.options.tokenRequestEncoding) {
      case 'form':
        return new URLSearchParams(fields);
      case 'multipart': {
        const form = new FormData();
        for (const [key, value] of Object.entries(fields)) form.append(key, value);
        return form;
      }
      default:
        return fields;
    }
  }

  private parse(response: AxiosResponse<string>, grantType: string, receivedAt: number): HoverTokenSet {
    try {
      return this.parseOrThrow(response, grantType, receivedAt);
    } catch (error) {
      if (error instanceof HoverTokenEndpointException) error.preview = redactedPreview(response.data);
      if (error instanceof HoverTokenEndpointUnavailableException) {
        error.retryAfterSeconds = parseRetryAfterSeconds(response.headers?.['retry-after'], receivedAt);
      }
      throw error;
    }
  }

  private parseOrThrow(response: AxiosResponse<string>, grantType: string, receivedAt: number): HoverTokenSet {
    const status = response.status;
    const body = parseJson(response.data);
    const success = status >= 200 && status < 300;
    const oauthError = errorResponseSchema.safeParse(body);
    // A 2xx whose JSON is an OAuth error object is an invalid answer, not a refusal of the grant: only a
    // 4xx `invalid_grant` makes a connection reauthorization_required (handled below).
    if (!success && oauthError.success) {
      // Decided by the `error` code, never by the status: Hover/old Doorkeeper answer 401 for every error.
      const error = oauthError.data.error;
      if (error === 'invalid_grant') throw new HoverInvalidGrantException(status);
      if (error === 'invalid_client') {
        this.logger.error(
          `Hover rejected the client credentials (invalid_client, HTTP ${status}, grant_type ${grantType}). Check clientId and clientSecret.`,
        );
        throw new HoverInvalidClientException(status);
      }
      if (status >= 500 || status === 429) {
        throw new HoverTokenEndpointUnavailableException(`Hover's token endpoint answered HTTP ${status} (${safeCode(error)}).`, status);
      }
      throw new HoverTokenEndpointException(
        'HOVER_TOKEN_ENDPOINT_ERROR',
        `Hover's token endpoint refused the ${grantType} grant (${safeCode(error)}, HTTP ${status}).`,
        status,
        safeCode(error),
      );
    }
    if (status >= 500 || status === 429) {
      throw new HoverTokenEndpointUnavailableException(`Hover's token endpoint answered HTTP ${status}.`, status);
    }
    if (body === undefined && status === 200) {
      // HTML, invalid JSON, an empty body with 200: typically a proxy or maintenance page, so transient.
      // (A 3xx or 404 without JSON is a misconfiguration instead, reported as an invalid response.)
      throw new HoverTokenEndpointUnavailableException(`Hover's token endpoint answered HTTP ${status} with a body that is not JSON.`, status);
    }
    if (!success) {
      throw new HoverInvalidTokenResponseException(`Hover's token endpoint answered HTTP ${status} without an OAuth error.`, status);
    }
    const reading = readTokenResponse(body, receivedAt);
    if (!reading.ok) {
      throw new HoverInvalidTokenResponseException(`Hover's token response is invalid (${reading.invalidFields.join(', ')}).`, status);
    }
    for (const warning of reading.warnings) {
      this.logger.warn(`Hover's token response to the ${grantType} grant: ${warning}.`);
    }
    return reading.tokens;
  }
}

/** See {@link HoverTokenEndpointException.preview}. */
function redactedPreview(data: unknown): string | null {
  if (typeof data !== 'string' || data.length === 0) return null;
  return data
    .slice(0, 200)
    .replace(/[A-Za-z0-9._~+/=-]{16,}/g, '[redacted]')
    .replace(/[\x00-\x1f\x7f]/g, ' ')
    .slice(0, 60);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** OAuth error codes are `[\x20-\x21\x23-\x5B\x5D-\x7E]+` (RFC 6749 §5.2); anything else is not echoed. */
function safeCode(error: string): string {
  return /^[a-z0-9_.-]{1,64}$/i.test(error) ? error : 'unrecognized error';
}
