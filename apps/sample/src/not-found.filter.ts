import { prefersHtml } from '@hover-auth/nestjs';
import { type ArgumentsHost, Catch, type ExceptionFilter, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { signedInUser } from './app-users';
import { page } from './html';

/** An unknown address: a page with a Home link for browsers, Nest's JSON for API clients. */
@Catch(NotFoundException)
export class NotFoundPageFilter implements ExceptionFilter<NotFoundException> {
  catch(exception: NotFoundException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    response.status(404);
    if (!prefersHtml(request.headers.accept)) {
      response.json(exception.getResponse());
      return;
    }
    response.type('html').send(page('Not found', '<h1 id="not-found">This page does not exist</h1><p><a class="button" href="/" id="home">Home</a></p>', signedInUser(request)));
  }
}
