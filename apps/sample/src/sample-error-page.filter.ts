import { HoverAuthException, HoverErrorPageFilter, type HoverErrorPage, type HoverIncomingRequest } from '@hover-auth/nestjs';
import { Catch } from '@nestjs/common';
import type { Request } from 'express';
import { signedInUser } from './app-users';
import { page } from './html';

/**
 * The library's error pages (Connect / Reconnect / the plan advice / Try again) inside the sample's own
 * layout: its header with the signed-in user, and a Home link. API clients still get the JSON body.
 */
@Catch(HoverAuthException)
export class SampleErrorPageFilter extends HoverErrorPageFilter {
  protected override render(content: HoverErrorPage, request: HoverIncomingRequest): string {
    return page(content.title, `${this.renderBody(content)}<p><a href="/" id="home">Home</a></p>`, signedInUser(request as Request));
  }
}
