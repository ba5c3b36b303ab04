/**
 * What hover-auth's log lines say of an error: its stable `code` when it has one, else its class name.
 * Never its message or details, which may quote an upstream body.
 */
export function errorSummary(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' ? name : 'error';
}
