import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { HoverEventPublisher } from '../events/hover-event-publisher';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import { HoverAuthException } from '../exceptions/hover-auth.exception';
import { HoverWebhookRequestException } from '../exceptions/hover-webhook.exceptions';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverWebhookReceiver, type HoverWebhookAnswer } from './hover-webhook-receiver';

/** What the request objects of Express and Fastify (with Nest's `rawBody: true`) offer here. */
interface WebhookRequest {
  method?: string;
  headers: IncomingMessage['headers'];
  /** Set by Nest's body parsers with `NestFactory.create(…, { rawBody: true })`. */
  rawBody?: Buffer;
  body?: unknown;
  /** Fastify's Node request. */
  raw?: IncomingMessage;
}

/**
 * Mounts `POST {webhook.path}` on the host's HTTP adapter when the `webhook` option is set (at module
 * init, after Nest's body parsers: the route needs `rawBody: true`, or a body no parser read). Not a
 * Nest controller, because its path comes from the options, which `forRootAsync` only knows at run time;
 * so the answers are written here, as the JSON body of the {@link HoverAuthException} of each refusal.
 * Also refuses to start without `@nestjs/event-emitter`, which carries the dispatched events.
 */
@Injectable()
export class HoverWebhookRoute implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('HoverAuth');
  private rawBodyWarned = false;
  /** Per refusal code: when it was last logged, and how many came since. */
  private readonly refusals = new Map<string, { loggedAt: number; since: number }>();

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly receiver: HoverWebhookReceiver,
    private readonly events: HoverEventPublisher,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const webhook = this.options.webhook;
    const adapter = this.adapterHost?.httpAdapter;
    // An application context (a CLI, a worker) has no HTTP server: nothing to mount.
    if (!webhook || !adapter) return;
    adapter.post(webhook.path, (request: WebhookRequest, response: unknown) => {
      void this.handle(request, response);
    });
    this.logger.log(`Receiving Hover webhooks at POST ${webhook.path} (registered URL ${webhook.url}).`);
    if (adapter.getType() === 'express') {
      // Express runs the host's JSON parser before this route: its refusals (malformed JSON, a body over
      // its limit) come here as errors, and get this route's codes instead of the app's generic answer.
      adapter.use(webhook.path, (error: unknown, request: WebhookRequest, response: unknown, next: (error?: unknown) => void) => {
        const refusal = request.method === 'POST' ? parserRefusal(error) : null;
        if (refusal === null) return next(error);
        this.noteRefusal(refusal);
        this.send(response, { status: refusal.getStatus(), body: refusal.getResponse() as Record<string, unknown> });
      });
    }
  }

  onApplicationBootstrap(): void {
    // Only an app that receives deliveries dispatches them (a CLI or worker may still register webhooks).
    if (this.options.webhook && this.adapterHost?.httpAdapter && !this.events.ready()) {
      throw new HoverAuthConfigurationError([
        'The `webhook` option dispatches Hover webhook events through @nestjs/event-emitter, which this app does not have: `npm install @nestjs/event-emitter` and import EventEmitterModule.forRoot() in your app module (or leave `webhook` unset).',
      ]);
    }
  }

  private async handle(request: WebhookRequest, response: unknown): Promise<void> {
    const adapter = this.adapterHost!.httpAdapter;
    let answer: HoverWebhookAnswer;
    try {
      const rawBody = await this.rawBodyOf(request);
      answer = await this.receiver.receive({
        method: request.method ?? 'POST',
        path: adapter.getRequestUrl(request) as string,
        headers: request.headers,
        rawBody,
      });
    } catch (error) {
      if (error instanceof HoverAuthException) {
        answer = { status: error.getStatus(), body: error.getResponse() as Record<string, unknown> };
        this.noteRefusal(error);
      } else if ((error as { code?: string })?.code === 'ECONNRESET' || (error as Error)?.message === 'aborted') {
        // The sender hung up while the body was read: nothing to answer, nothing wrong here.
        this.logger.debug?.('A Hover webhook delivery was aborted by its sender.');
        return;
      } else {
        this.logger.error(`A Hover webhook delivery failed unexpectedly (${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? ''}).`);
        answer = { status: 500, body: { statusCode: 500, message: 'Internal server error' } };
      }
    }
    this.send(response, answer);
    // Listeners run after the answer is on its way: Hover's delivery does not wait for them.
    if (answer.afterResponse) await answer.afterResponse();
  }

  /**
   * Logs refusals at warning level, so a proxy or a clock that turns every delivery into a 401 shows in
   * the app's log: the first of each code, then at most one line a minute per code with the count since.
   */
  private noteRefusal(error: HoverAuthException): void {
    const now = Date.now();
    const seen = this.refusals.get(error.code) ?? { loggedAt: 0, since: 0 };
    seen.since++;
    if (now - seen.loggedAt >= 60_000) {
      const webhookId = (error as { webhookId?: string | null }).webhookId ?? (error.details as { webhookId?: string }).webhookId;
      this.logger.warn(
        `Refused a Hover webhook delivery: ${error.getStatus()} ${error.code}${webhookId ? ` (webhook ${webhookId})` : ''}: ${error.message}${seen.since > 1 ? ` (${seen.since} refusals with this code since the last line)` : ''}`,
      );
      seen.loggedAt = now;
      seen.since = 0;
    }
    this.refusals.set(error.code, seen);
  }

  private send(response: unknown, answer: HoverWebhookAnswer): void {
    const adapter = this.adapterHost!.httpAdapter;
    // A body refused as too large may not have been read to its end: the connection cannot carry another request.
    if (answer.status === 413) adapter.setHeader(response, 'Connection', 'close');
    adapter.reply(response, answer.body, answer.status);
  }

  /**
   * The body as received: Nest's copy (`rawBody: true`), else the request stream when no parser read it
   * (a content type Nest does not parse, or `bodyParser: false`), read up to `maxBodyBytes` + 1.
   * @throws {HoverWebhookRequestException} 500 when a parser consumed the body and kept no copy; 413 when too large
   */
  private async rawBodyOf(request: WebhookRequest): Promise<Buffer> {
    if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
    const stream = request.raw ?? (request as unknown as IncomingMessage);
    // No body at all (what body-parser's `type-is` calls hasBody): parsers leave `{}` and no raw copy.
    if (request.headers['transfer-encoding'] === undefined && (request.headers['content-length'] ?? '0') === '0') return Buffer.alloc(0);
    if (request.body !== undefined || stream.readableEnded || typeof stream.on !== 'function') {
      if (!this.rawBodyWarned) {
        this.rawBodyWarned = true;
        this.logger.error('Hover webhooks need the raw request body to check signatures: create the app with NestFactory.create(AppModule, { rawBody: true }).');
      }
      throw new HoverWebhookRequestException(
        'HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE',
        'The body was parsed before hover-auth could read it: create the app with NestFactory.create(AppModule, { rawBody: true }).',
      );
    }
    return readAtMost(stream, (this.options.webhook as { maxBodyBytes: number }).maxBodyBytes);
  }
}

/**
 * Reads a request stream to its end, or stops (paused, not destroyed, so the 413 answer can still be
 * written) once it passes `limit` bytes.
 * @throws {HoverWebhookRequestException} 413 over `limit`
 */
function readAtMost(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      stream.pause();
      reject(new HoverWebhookRequestException('HOVER_WEBHOOK_BODY_TOO_LARGE', `The webhook body is over ${limit} bytes.`));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * The refusal for an error of Express's body parsers, else `null`: body-parser marks its errors with a
 * `type` and a 4xx `status` (a body that does not decompress carries only the status).
 */
function parserRefusal(error: unknown): HoverWebhookRequestException | null {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large' || status === 413) return new HoverWebhookRequestException('HOVER_WEBHOOK_BODY_TOO_LARGE', "The webhook body is over the body parser's limit.");
  if (typeof type !== 'string' && !(typeof status === 'number' && status >= 400 && status < 500)) return null;
  return new HoverWebhookRequestException('HOVER_WEBHOOK_INVALID_BODY', type === 'entity.parse.failed' ? 'The webhook body is not JSON.' : 'The webhook body could not be read.');
}
