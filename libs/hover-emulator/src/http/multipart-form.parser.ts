/**
 * Parses the text fields of a `multipart/form-data` body (RFC 7578). Parts carrying a `filename` are
 * skipped; the emulator only needs OAuth parameters. Field values are decoded as UTF-8; when a name
 * repeats, the first value wins.
 * @param body the raw request body
 * @param contentType the request's `Content-Type` header (must carry `boundary=`)
 * @returns field name → value
 * @throws Error when the boundary is missing or the body is not valid multipart
 */
export function parseMultipartFields(body: Buffer, contentType: string): Record<string, string> {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundaryMatch) throw new Error('multipart/form-data without boundary');
  const delimiter = Buffer.from(`--${boundaryMatch[1] ?? boundaryMatch[2]}`);
  const fields: Record<string, string> = {};

  let cursor = body.indexOf(delimiter);
  if (cursor < 0) throw new Error('multipart boundary not found in body');
  for (;;) {
    const afterDelimiter = cursor + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return fields; // close delimiter
    const partStart = afterDelimiter + 2; // skip CRLF after the delimiter
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) throw new Error('unterminated multipart body');
    const part = body.subarray(partStart, next - 2); // drop the CRLF before the next delimiter
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart part without header terminator');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers);
    const name = disposition && /;\s*name="([^"]*)"/i.exec(disposition[1]);
    const isFile = disposition && /;\s*filename\*?=/i.test(disposition[1]);
    if (name && !isFile && !Object.hasOwn(fields, name[1])) {
      fields[name[1]] = part.subarray(headerEnd + 4).toString('utf8');
    }
    cursor = next;
  }
}
