import { Controller, Get, type INestApplication, Post, Query } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import { HoverInvalidCallbackException } from '../exceptions/hover-callback.exceptions';
import {
  HoverIntegrationsUnavailableException,
  HoverNotConnectedException,
  HoverReauthorizationRequiredException,
} from '../exceptions/hover-connection.exceptions';
import { HoverRateLimitQueueFullException } from '../exceptions/hover-rate-limit.exceptions';
import { HoverTokenEndpointUnavailableException } from '../exceptions/hover-token-endpoint.exceptions';
import { HoverErrorPageFilter, prefersHtml } from './hover-error-page.filter';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

@Controller()
class ThrowingController {
  @Get('guarded')
  guarded(@Query('kind') kind: string): never {
    if (kind === 'reauth') throw new HoverReauthorizationRequiredException('user:1', '/connect/hover');
    if (kind === 'plan') throw new HoverIntegrationsUnavailableException('user:1');
    if (kind === 'busy') throw new HoverRateLimitQueueFullException('queue_full', 12.2);
    if (kind === 'backoff') throw HoverTokenEndpointUnavailableException.retryAfter(7, 'backing off');
    if (kind === 'upstream-retry-after') {
      const failure = new HoverTokenEndpointUnavailableException('Hover answered 503', 503);
      failure.retryAfterSeconds = 4.2; // from Hover's Retry-After: on the exception only
      throw failure;
    }
    throw new HoverNotConnectedException('user:1', '/connect/hover');
  }

  @Get('callback')
  callback(): never {
    throw new HoverInvalidCallbackException('HOVER_STATE_BROWSER_MISMATCH', 'not this browser');
  }

  @Post('guarded')
  post(): never {
    throw new HoverNotConnectedException('user:1', '/connect/hover');
  }
}

describe('HoverErrorPageFilter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ThrowingController],
      providers: [
        { provide: APP_FILTER, useClass: HoverErrorPageFilter },
        { provide: HOVER_AUTH_RESOLVED_OPTIONS, useValue: { authorizePath: '/hover/start' } },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  it('a browser that is not connected gets a page with a Connect link back to the page', async () => {
    const answer = await request(app.getHttpServer()).get('/guarded?x=1').set('Accept', BROWSER);
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.text).toContain('<h1 id="hover-title">Connect Hover</h1>');
    expect(answer.text).toContain('<a class="action" id="hover-action" href="/connect/hover?returnTo=%2Fguarded%3Fx%3D1">Connect Hover</a>');
    expect(answer.text).toContain('<code id="hover-code">HOVER_NOT_CONNECTED</code>');
  });

  it('reconnect and plan-without-integrations pages say what helps', async () => {
    const reauth = await request(app.getHttpServer()).get('/guarded?kind=reauth').set('Accept', BROWSER);
    expect(reauth.text).toContain('>Reconnect Hover</a>');
    const plan = await request(app.getHttpServer()).get('/guarded?kind=plan').set('Accept', BROWSER);
    expect(plan.status).toBe(403);
    expect(plan.text).toContain('Integrations must be enabled on the organization: talk to your Hover account manager');
    // The exception names no authorize URL: the module option's path is used.
    expect(plan.text).toContain('href="/hover/start?returnTo=%2Fguarded%3Fkind%3Dplan"');
  });

  it('a refused callback offers Start again at the authorize route, not the spent callback', async () => {
    const answer = await request(app.getHttpServer()).get('/callback?state=s&code=c').set('Accept', BROWSER);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<a class="action" id="hover-action" href="/hover/start">Start again</a>');
    expect(answer.text).not.toContain('code=c');
  });

  it('API clients keep the JSON body; Retry-After is sent to both', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html;q=0.5', 'text/*']) {
      const call = request(app.getHttpServer()).get('/guarded');
      const answer = await (accept ? call.set('Accept', accept) : call);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        statusCode: 401,
        code: 'HOVER_NOT_CONNECTED',
        message: 'This account is not connected to Hover. Send the user to authorizeUrl to connect.',
        connectionId: 'user:1',
        authorizeUrl: '/connect/hover',
      });
    }
    const json = await request(app.getHttpServer()).get('/guarded?kind=busy');
    expect(json.status).toBe(503);
    expect(json.headers['retry-after']).toBe('13');
    expect(json.body.code).toBe('HOVER_RATE_LIMIT_QUEUE_FULL');
    const page = await request(app.getHttpServer()).get('/guarded?kind=busy').set('Accept', BROWSER);
    expect(page.headers['retry-after']).toBe('13');
    expect(page.text).toContain('Try again in 13 seconds.');
    expect(page.text).toContain('href="/guarded?kind=busy">Try again</a>');
  });

  it("hover-auth's refresh back-off and Hover's own Retry-After both become Retry-After and 'try again in N seconds'", async () => {
    const backoff = await request(app.getHttpServer()).get('/guarded?kind=backoff');
    expect(backoff.status).toBe(503);
    expect(backoff.headers['retry-after']).toBe('7');
    expect(backoff.body).toMatchObject({ code: 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE', retryAfterSeconds: 7 });
    const upstream = await request(app.getHttpServer()).get('/guarded?kind=upstream-retry-after').set('Accept', BROWSER);
    expect(upstream.headers['retry-after']).toBe('5');
    expect(upstream.text).toContain('Hover is not answering right now');
    expect(upstream.text).toContain('Try again in 5 seconds.');
  });

  it('a form POST gets the page without a returnTo (only GET pages are returned to)', async () => {
    const answer = await request(app.getHttpServer()).post('/guarded').set('Accept', BROWSER);
    expect(answer.text).toContain('href="/connect/hover">Connect Hover</a>');
  });

  it('built by hand, it needs the HttpAdapterHost', () => {
    expect(() => new HoverErrorPageFilter(undefined as unknown as HttpAdapterHost)).toThrow(/app\.get\(HttpAdapterHost\)/);
  });
});

describe('prefersHtml', () => {
  it.each([
    [BROWSER, true],
    ['text/html', true],
    ['application/xhtml+xml', true],
    ['text/html;q=0.9, application/json', false],
    ['application/json;q=0.5, text/html', true],
    ['text/html;q=0', false],
    ['*/*', false],
    ['text/*', false],
    ['', false],
    ['text/html;q=abc', false],
  ])('%s → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });

  it('ignores non-strings and oversized headers', () => {
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml(['text/html'])).toBe(false);
    expect(prefersHtml(`text/html,${'x'.repeat(5000)}`)).toBe(false);
  });
});
