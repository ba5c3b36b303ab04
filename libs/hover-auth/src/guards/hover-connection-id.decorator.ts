import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { HOVER_CONNECTION_ID_REQUEST_KEY } from './hover-integration.guard';

/**
 * Route parameter decorator: the connection id {@link HoverIntegrationGuard} checked for this request
 * (`undefined` on routes without the guard).
 * @example getJobs(@HoverConnectionId() connectionId: string) { return this.hover.forConnection(connectionId)… }
 */
export const HoverConnectionId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest()[HOVER_CONNECTION_ID_REQUEST_KEY],
);
