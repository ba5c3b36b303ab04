import { Controller, Get, Header, Query, Redirect, Req, Res } from '@nestjs/common';
import type { HoverIncomingRequest } from '../hover-auth-options.interface';
import { appendSetCookie } from './set-cookie';
import { HoverAuthorizationFlowService } from './hover-authorization-flow.service';

interface RedirectAnswer {
  url: string;
  statusCode: number;
}

/**
 * The built-in routes of the authorization code flow: `GET /hover/authorize` and `GET /hover/callback`,
 * a thin adapter over {@link HoverAuthorizationFlowService}. Re-prefix with `RouterModule`, or set
 * `mountController: false` and call the service from your own routes.
 */
@Controller('hover')
export class HoverOAuthController {
  constructor(private readonly flow: HoverAuthorizationFlowService) {}

  /**
   * Redirects (302) the browser to Hover's authorization endpoint and sets the flow cookie
   * (see {@link HoverAuthorizationFlowService.start}). `?returnTo=/path` (same-origin paths only) is
   * where the browser goes after connecting.
   */
  @Get('authorize')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  async authorize(
    @Req() request: HoverIncomingRequest,
    @Res({ passthrough: true }) reply: unknown,
    @Query('returnTo') returnTo?: unknown,
  ): Promise<RedirectAnswer> {
    const start = await this.flow.start(request, { returnTo: typeof returnTo === 'string' ? returnTo : undefined });
    for (const cookie of start.setCookie) appendSetCookie(reply, cookie);
    return { url: start.authorizationUrl, statusCode: 302 };
  }

  /**
   * Hover's redirect back: redirects (302) to the return path or `successRedirect`, or to
   * `failureRedirect?hover_error=<reason>` (see {@link HoverAuthorizationFlowService.complete}).
   * @throws {HoverInvalidCallbackException} 400 for a callback that cannot be this browser's flow
   */
  @Get('callback')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: HoverIncomingRequest,
    @Res({ passthrough: true }) reply: unknown,
  ): Promise<RedirectAnswer> {
    const result = await this.flow.complete(query, request);
    appendSetCookie(reply, result.clearCookie);
    return { url: result.redirectUrl, statusCode: 302 };
  }
}
