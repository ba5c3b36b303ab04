/** Adds a `Set-Cookie` header on Express or Fastify replies without dropping others. */
export function appendSetCookie(reply: any, cookie: string): void {
  if (typeof reply.getHeader === 'function' && typeof reply.setHeader === 'function') {
    const existing = reply.getHeader('Set-Cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    reply.setHeader('Set-Cookie', [...list, cookie]);
  } else if (typeof reply.header === 'function') {
    reply.header('Set-Cookie', cookie);
  }
}
