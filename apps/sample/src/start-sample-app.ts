import { HoverEmulator } from '@hover-auth/emulator';
import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppModule } from './app.module';
import { DEVELOPMENT_KEY_FILE, loadOrCreateDevelopmentKey } from './development-encryption-key';
import { readSampleConfig, type SampleConfig } from './sample-config';
import { SESSION_COOKIE } from './session.controller';

/** Demo credentials the sample registers at its in-process emulator (fake, emulator-only values). */
const EMULATOR_CLIENT_ID = 'hover-sample-client';
const EMULATOR_CLIENT_SECRET = 'hover-sample-emulator-secret';

export interface RunningSample {
  app: NestExpressApplication;
  /** e.g. `http://localhost:3000` */
  url: string;
  config: SampleConfig;
  /** The in-process emulator, when `HOVER_BASE_URL` was unset. */
  emulator?: HoverEmulator;
  close(): Promise<void>;
}

/**
 * Starts the sample app on 127.0.0.1 from environment variables (see {@link readSampleConfig}). When
 * `HOVER_BASE_URL` is unset it first starts the Hover emulator in-process on a free port and registers
 * a client for this app's redirect URI.
 */
export async function startSampleApp(
  env: NodeJS.ProcessEnv = process.env,
  logger: LoggerService | LogLevel[] | false = ['log', 'warn', 'error'],
): Promise<RunningSample> {
  const config = readSampleConfig(env);
  const log = new Logger('Sample');
  let emulator: HoverEmulator | undefined;
  if (!config.hover.baseUrl) {
    const ignored = (['HOVER_CLIENT_ID', 'HOVER_CLIENT_SECRET'] as const).filter((name) => env[name]);
    if (ignored.length > 0) log.warn(`${ignored.join(' and ')} ${ignored.length > 1 ? 'are' : 'is'} ignored: HOVER_BASE_URL is unset, so the sample uses its in-process emulator and the emulator's demo client.`);
    emulator = new HoverEmulator();
    const baseUrl = await emulator.start(0);
    // Only the emulator's client and address replace the environment's values; every other setting
    // (encryption keys, issuer, token request encoding) is honoured as given.
    config.hover = {
      ...config.hover,
      clientId: EMULATOR_CLIENT_ID,
      clientSecret: EMULATOR_CLIENT_SECRET,
      redirectUri: config.hover.redirectUri ?? `http://localhost:${config.port}/hover/callback`,
      baseUrl,
    };
    emulator.registerClient({
      clientId: EMULATOR_CLIENT_ID,
      clientSecret: EMULATOR_CLIENT_SECRET,
      redirectUris: [config.hover.redirectUri as string],
      name: 'Hover sample app',
    });
  }
  let developmentKey: ReturnType<typeof loadOrCreateDevelopmentKey> | undefined;
  if (!config.hover.encryptionKeys) {
    developmentKey = loadOrCreateDevelopmentKey();
    config.hover.encryptionKeys = [developmentKey.key];
  }
  if (config.database.type === 'better-sqlite3' && config.database.database !== ':memory:') {
    mkdirSync(dirname(config.database.database), { recursive: true });
  }
  let app: NestExpressApplication;
  try {
    // rawBody: hover-auth checks each webhook delivery's signature over the bytes Hover sent.
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, emulator), { logger, rawBody: true });
    secureHttp(app, config);
    await app.listen(config.port, '127.0.0.1');
  } catch (error) {
    await emulator?.stop();
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  if (emulator) {
    log.log(`HOVER_BASE_URL is unset: using the in-process Hover emulator at ${config.hover.baseUrl} (signed in as a demo user).`);
    log.log('To use the real Hover, set HOVER_CLIENT_ID, HOVER_CLIENT_SECRET, HOVER_REDIRECT_URI and HOVER_BASE_URL=https://hover.to.');
  }
  if (developmentKey) {
    log.warn(
      `HOVER_ENCRYPTION_KEYS is unset: tokens are encrypted with a DEVELOPMENT key ${developmentKey.created ? 'just created in' : 'read from'} ${DEVELOPMENT_KEY_FILE}. Never use it in production; set HOVER_ENCRYPTION_KEYS=id:<32 random bytes, base64> instead.`,
    );
  }
  const webhook = config.hover.webhook;
  if (webhook) log.log(`Webhooks on: Hover POSTs job updates to ${webhook.url} (HOVER_WEBHOOK_URL); see ${url}/webhooks/events.`);
  else log.log(`Webhooks off (HOVER_WEBHOOK_URL is unset): to receive Hover's job updates set HOVER_WEBHOOK_URL=${url}/hover/webhooks.`);
  log.log(`Database: ${config.database.type === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `SQLite file ${config.database.database}`}`);
  if (!config.sessionSecret) log.log('SESSION_SECRET is unset: sessions are signed with a random secret, so a restart signs everyone out.');
  log.log(`Sample app ready at ${url}`);
  return {
    app,
    url,
    config,
    emulator,
    close: async () => {
      await app.close();
      await emulator?.stop();
    },
  };
}

/**
 * What Nest's security docs advise for an app people copy: helmet's headers (CSP, HSTS, nosniff,
 * frame-ancestors…), no `X-Powered-By`, and a session cookie that is HttpOnly and SameSite=Lax (Secure
 * when the app is served over https), and state-changing requests refused when the browser says they
 * come from another site (`Sec-Fetch-Site`, else `Origin`): SameSite=Lax alone lets a page on another
 * port of localhost post with the cookie. The session store is express-session's MemoryStore: one process
 * only; with several instances use a shared store (e.g. connect-redis) and one SESSION_SECRET.
 */
function secureHttp(app: NestExpressApplication, config: SampleConfig): void {
  const https = (config.hover.redirectUri ?? '').startsWith('https:');
  app.disable('x-powered-by');
  // Over plain-http localhost, `upgrade-insecure-requests` would send the browser to https://localhost.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } } }));
  app.use(refuseCrossSitePosts(https, webhookPath(config)));
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret ?? randomBytes(32).toString('base64'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: https, maxAge: 8 * 3600 * 1000 },
    }),
  );
}

/**
 * Where hover-auth mounts the webhook route (`webhook.path`, else the path of `webhook.url`), or `null`
 * when webhooks are off.
 */
function webhookPath(config: SampleConfig): string | null {
  const webhook = config.hover.webhook;
  if (!webhook) return null;
  return webhook.path ?? new URL(webhook.url).pathname;
}

/**
 * 403 for a POST (PUT, PATCH, DELETE) that a browser marks as coming from another origin: by
 * `Sec-Fetch-Site` (anything but `same-origin`, or `none` for a typed address), or, from browsers that
 * do not send it, by an `Origin` other than this app's. Clients that send neither (curl, scripts) are
 * not browsers acting for a user, and pass. Hover's webhook deliveries send neither either; their
 * route is left out all the same: it acts for no session (a delivery is trusted only for its
 * signature), so a cross-site post there can forge nothing, and must not be refused if a proxy adds
 * an `Origin`.
 */
function refuseCrossSitePosts(https: boolean, webhookRoute: string | null) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return next();
    if (webhookRoute !== null && request.path === webhookRoute) return next();
    const site = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    const ownOrigin = `${https ? 'https' : 'http'}://${request.headers.host ?? ''}`;
    const crossSite = typeof site === 'string' ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== ownOrigin;
    if (!crossSite) return next();
    response.status(403).type('text').send('Refused: this form was sent from another site.');
  };
}
