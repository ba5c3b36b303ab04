import { BadRequestException } from '@nestjs/common';

/** Stable codes of a refused authorization callback. */
export type HoverCallbackErrorCode = 'HOVER_INVALID_STATE' | 'HOVER_INVALID_CALLBACK';

/**
 * 400 for a callback that cannot belong to a flow this app started: `state` missing, not a single
 * string, unknown, expired or already used (`HOVER_INVALID_STATE`, RFC 6749 §10.12), or `code` missing
 * or malformed (`HOVER_INVALID_CALLBACK`). Nothing is requested from Hover and nothing is stored.
 * The message never echoes query values.
 */
export class HoverInvalidCallbackException extends BadRequestException {
  constructor(readonly code: HoverCallbackErrorCode, message: string) {
    super({ statusCode: 400, code, message });
  }
}
