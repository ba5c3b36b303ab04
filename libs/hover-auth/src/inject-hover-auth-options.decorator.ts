import { Inject } from '@nestjs/common';
import { HOVER_AUTH_RESOLVED_OPTIONS } from './hover-auth.constants';

/**
 * Injects the validated {@link ResolvedHoverAuthOptions} (defaults merged, endpoints derived).
 * @example constructor(@InjectHoverAuthOptions() private readonly options: ResolvedHoverAuthOptions) {}
 */
export const InjectHoverAuthOptions = (): ParameterDecorator => Inject(HOVER_AUTH_RESOLVED_OPTIONS);
