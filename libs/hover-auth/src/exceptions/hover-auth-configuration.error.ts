/**
 * Thrown at bootstrap when {@link HoverAuthModuleOptions} are missing or invalid. The message names each
 * offending option and says how to fix it. Never contains the client secret. A configuration error is
 * not an HTTP error, so it extends `Error` (not {@link HoverAuthException}); it stops the bootstrap.
 */
export class HoverAuthConfigurationError extends Error {
  override readonly name = 'HoverAuthConfigurationError';
  /** Stable code, see {@link HOVER_ERROR_CODES}. */
  readonly code = 'HOVER_CONFIGURATION_INVALID';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid HoverAuthModule options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
