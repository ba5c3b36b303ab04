import type { HoverIncomingRequest } from '@hover-auth/nestjs';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { Request } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** Id of the signed-in sample user (one of {@link APP_USERS}). */
    userId?: string;
  }
}

/** A user of the sample app (not a Hover user): each has their own Hover connection. */
export interface AppUser {
  id: string;
  name: string;
  /** Who they are, shown on the sign-in page. */
  role: string;
}

/**
 * The sample's users. A real app has its own accounts and sign-in; what matters here is that each
 * account gets its own connection id, so two users connect two Hover orgs side by side.
 */
export const APP_USERS: readonly AppUser[] = [
  { id: 'ana', name: 'Ana Alvarez', role: 'office manager at a roofing company' },
  { id: 'ben', name: 'Ben Brooks', role: 'adjuster at an insurance firm' },
  { id: 'cy', name: 'Cy Cole', role: 'a new user who has not connected Hover' },
];

/** The signed-in user of a request, or `null`. */
export function signedInUser(request: Request): AppUser | null {
  const id = request.session?.userId;
  return APP_USERS.find((user) => user.id === id) ?? null;
}

/** The Hover connection id of an app user: one connection per user. */
export function connectionIdOf(user: AppUser): string {
  return `user:${user.id}`;
}

/** 401 for a request that needs a signed-in user; browsers are sent to the sign-in page (see `SignInRequiredFilter`). */
export class SignInRequiredException extends HttpException {
  constructor() {
    super({ statusCode: HttpStatus.UNAUTHORIZED, code: 'SIGN_IN_REQUIRED', message: 'Sign in first (POST /sign-in).' }, HttpStatus.UNAUTHORIZED);
  }
}

/**
 * The module's `resolveConnectionId`: the signed-in user's connection. Without a signed-in user it
 * throws, so `/hover/authorize` and every guarded route are for signed-in users only.
 * @throws {SignInRequiredException}
 */
export function resolveConnectionId(request: HoverIncomingRequest): string {
  return connectionIdOf(requireUser(request as Request));
}

/** The signed-in user, or {@link SignInRequiredException}. */
export function requireUser(request: Request): AppUser {
  const user = signedInUser(request);
  if (!user) throw new SignInRequiredException();
  return user;
}
