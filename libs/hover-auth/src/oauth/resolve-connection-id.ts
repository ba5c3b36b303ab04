import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';

/** Longest connection id the `hover_connections.connection_id` column holds. */
export const MAX_CONNECTION_ID_LENGTH = 191;

/**
 * Runs the host's `resolveConnectionId` and checks its answer.
 * @throws {Error} if it returns anything but a non-empty string of at most 191 characters: a bug in the
 * host app, so it surfaces as a 500 with this explanation in the log
 */
export async function resolveConnectionId(
  options: ResolvedHoverAuthOptions,
  request: HoverIncomingRequest,
): Promise<string> {
  const connectionId = await options.resolveConnectionId(request);
  if (typeof connectionId !== 'string' || connectionId.length === 0 || connectionId.length > MAX_CONNECTION_ID_LENGTH) {
    throw new Error(
      `HoverAuthModule option resolveConnectionId must return a non-empty string of at most ${MAX_CONNECTION_ID_LENGTH} characters (got ${typeof connectionId === 'string' ? `a string of length ${connectionId.length}` : typeof connectionId}).`,
    );
  }
  return connectionId;
}
