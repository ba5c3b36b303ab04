import { prefersHtml } from '@hover-auth/nestjs';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SignInRequiredException } from './app-users';

/** Browsers without a session go to the sign-in page (and come back after); API clients get the 401 JSON. */
@Catch(SignInRequiredException)
export class SignInRequiredFilter implements ExceptionFilter<SignInRequiredException> {
  catch(exception: SignInRequiredException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (!prefersHtml(request.headers.accept)) {
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const returnTo = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.originalUrl)}` : '';
    response.redirect(303, `/sign-in${returnTo}`);
  }
}
