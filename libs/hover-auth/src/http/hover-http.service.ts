import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { DEFAULT_CONNECTION_ID } from '../hover-auth.constants';
import { assertConnectionId } from '../tokens/connection-id';
import { HoverHttpClient } from './hover-http-client';

/**
 * Injectable client of Hover's API. Calls made on it directly act for the `'default'` connection;
 * `forConnection(id)` returns a client scoped to another one. All clients share one axios instance,
 * one token cache and one refresh per connection. See {@link HoverHttpClient} for methods and errors.
 *
 * @example
 * const jobs = await this.hover.forConnection(account.id).getData('/v3/jobs', { params: { per: 50 } });
 */
@Injectable()
export class HoverHttpService extends HoverHttpClient {
  constructor(http: HttpService) {
    super(http, DEFAULT_CONNECTION_ID);
  }

  /**
   * @param connectionId the host app's connection id (as returned by `resolveConnectionId`)
   * @returns a client whose calls use that connection's tokens
   * @throws {HoverInvalidConnectionIdException} when `connectionId` is not a string of 1–191 characters
   */
  forConnection(connectionId: string): HoverHttpClient {
    assertConnectionId(connectionId);
    return new HoverHttpClient(this.http, connectionId);
  }

  /** The underlying axios instance (with hover-auth's hooks installed). */
  get axiosRef() {
    return this.http.axiosRef;
  }
}
