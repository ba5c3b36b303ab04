import { IncomingMessage } from 'http';
import { parseMultipartFields } from './multipart-form.parser';

/** Largest accepted body in BYTES (Express's default JSON/urlencoded limit is 100 KB too). */
const MAX_BODY_BYTES = 100 * 1024;

/** Thrown by `readParamsBody` when the body cannot be read as parameters; maps to `invalid_request`. */
export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}

/**
 * Reads a request body as flat string parameters, the way Rails builds `params` for Doorkeeper:
 * `application/json` (top-level string/number/boolean members only), `application/x-www-form-urlencoded`
 * and `multipart/form-data` (text fields). Any other or missing content type gives `{}`.
 * The token endpoint uses this instead of Express's parsers so a malformed body is still counted and
 * answered as an OAuth error, never an HTML 400.
 * @returns parameter name → value (a null-prototype object)
 * @throws MalformedBodyError on invalid JSON/multipart or a body over 100 KB
 */
export async function readParamsBody(req: IncomingMessage): Promise<Record<string, string>> {
  const raw = await readRaw(req);
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  const params: Record<string, string> = Object.create(null);
  if (raw.length === 0) return params;
  try {
    if (contentType.startsWith('application/json') || /^application\/[\w.+-]*\+json/.test(contentType)) {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('JSON body is not an object');
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[key] = String(value);
      }
    } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) if (!(key in params)) params[key] = value;
    } else if (contentType.startsWith('multipart/form-data')) {
      Object.assign(params, parseMultipartFields(raw, req.headers['content-type'] ?? ''));
    }
  } catch (err) {
    throw new MalformedBodyError(err instanceof Error ? err.message : 'malformed body');
  }
  return params;
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new MalformedBodyError('body larger than 100 KB'));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
