/**
 * Whether axios can send a request body a second time exactly as the first time (for the one retry
 * after a 401). Strings, buffers, typed arrays, `ArrayBuffer`, `URLSearchParams`, `Blob` and a
 * spec-compliant `FormData` whose entries are strings or Blobs are replayable (plain objects reach here
 * already serialized to JSON text). Streams (Node `Readable`, web `ReadableStream`), async iterables,
 * the `form-data` package (itself a stream) and anything unknown are not: a second send would be empty
 * or partial, so they are never retried blindly.
 */
export function isReplayableBody(data: unknown): boolean {
  if (data === undefined || data === null) return true;
  if (typeof data === 'string') return true;
  if (Buffer.isBuffer(data) || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return true;
  if (data instanceof URLSearchParams) return true;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return true;
  if (typeof FormData !== 'undefined' && data instanceof FormData) {
    for (const [, value] of data.entries()) {
      if (typeof value !== 'string' && !(value instanceof Blob)) return false;
    }
    return true;
  }
  return false;
}
