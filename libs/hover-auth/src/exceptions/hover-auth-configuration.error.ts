/**
 * Thrown at bootstrap when {@link HoverAuthModuleOptions} are missing or invalid. The message names each
 * offending option and says how to fix it. Never contains the client secret.
 */
export class HoverAuthConfigurationError extends Error {
  override readonly name = 'HoverAuthConfigurationError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid HoverAuthModule options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
