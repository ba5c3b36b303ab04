import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { assertConnectionId } from '../tokens/connection-id';

/**
 * Runs the host's `resolveConnectionId` and checks its answer.
 * @throws {HoverInvalidConnectionIdException} if it returns anything but a non-empty string of at most
 * 191 characters: a bug in the host app, so it answers 500 with this explanation
 */
export async function resolveConnectionId(options: ResolvedHoverAuthOptions, request: HoverIncomingRequest): Promise<string> {
  const connectionId = await options.resolveConnectionId(request);
  assertConnectionId(connectionId);
  return connectionId;
}
