import { Logger } from '@nestjs/common';
import { HoverInvalidConnectionIdException } from '../exceptions/hover-connection.exceptions';

/** Longest connection id the `hover_connections.connection_id` column holds. */
export const MAX_CONNECTION_ID_LENGTH = 191;

/**
 * Checks a connection id: a string of 1–191 characters (the column's size).
 * @throws {HoverInvalidConnectionIdException} otherwise: a bug in the host app (500); the message says
 * the type and length received, never the value
 */
export function assertConnectionId(connectionId: unknown): asserts connectionId is string {
  if (typeof connectionId !== 'string' || connectionId.length === 0 || connectionId.length > MAX_CONNECTION_ID_LENGTH) {
    const error = new HoverInvalidConnectionIdException(
      typeof connectionId === 'string' ? `a string of length ${connectionId.length}` : connectionId === null ? 'null' : typeof connectionId,
    );
    // A bug in the host app: Nest does not log HttpExceptions, so say it here for the operator.
    new Logger('HoverAuth').error(error.message);
    throw error;
  }
}
