import { safeReturnPath } from '@hover-auth/nestjs';
import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_USERS, signedInUser } from './app-users';
import { escapeHtml, page } from './html';

/** The session cookie's name (express-session). */
export const SESSION_COOKIE = 'sample.sid';

/** A same-origin path to return to after signing in (the library's open-redirect check), else `/`. */
function returnPath(value: unknown): string {
  return safeReturnPath(value) ?? '/';
}

/**
 * A minimal sign-in: pick one of the sample's users; the choice lives in an express-session cookie
 * (HttpOnly, SameSite=Lax). A stand-in for your app's real authentication.
 */
@Controller()
export class SessionController {
  @Get('sign-in')
  @Header('Cache-Control', 'no-store')
  signInPage(@Req() request: Request, @Query('returnTo') returnTo: unknown): string {
    const current = signedInUser(request);
    const users = APP_USERS.map(
      (user) =>
        `<li><button type="submit" name="user" value="${escapeHtml(user.id)}" class="secondary" id="sign-in-${escapeHtml(user.id)}">${escapeHtml(user.name)}</button> — ${escapeHtml(user.role)}</li>`,
    ).join('');
    return page(
      'Sign in',
      `<h1>Sign in to the sample app</h1><p>Pick a user. Each has their own Hover connection: sign in as two users in two browsers to connect two Hover orgs side by side.</p>
<form method="post" action="/sign-in"><input type="hidden" name="returnTo" value="${escapeHtml(returnPath(returnTo))}"><ul>${users}</ul></form>`,
      current,
    );
  }

  @Post('sign-in')
  async signIn(@Body() body: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const user = APP_USERS.find((candidate) => candidate.id === body?.user);
    if (!user) {
      response.status(400).type('html').send(page('Sign in', '<h1>Unknown user</h1><p><a href="/sign-in">Pick one of the listed users.</a></p>'));
      return;
    }
    // A new session id on sign-in (no session fixation).
    await new Promise<void>((resolve, reject) => request.session.regenerate((error) => (error ? reject(error) : resolve())));
    request.session.userId = user.id;
    await new Promise<void>((resolve, reject) => request.session.save((error) => (error ? reject(error) : resolve())));
    response.redirect(303, returnPath(body.returnTo));
  }

  @Post('sign-out')
  @HttpCode(303)
  async signOut(@Req() request: Request, @Res() response: Response): Promise<void> {
    await new Promise<void>((resolve) => request.session.destroy(() => resolve()));
    response.clearCookie(SESSION_COOKIE).redirect(303, '/sign-in');
  }
}
