import { Injectable, Module } from '@nestjs/common';

/** The app's settings, read from environment variables when the app starts. */
@Injectable()
export class AppConfig {
  readonly databaseUrl = required('DATABASE_URL');
  readonly hover = {
    baseUrl: required('HOVER_BASE_URL'),
    clientId: required('HOVER_CLIENT_ID'),
    clientSecret: required('HOVER_CLIENT_SECRET'),
    redirectUri: required('HOVER_REDIRECT_URI'),
    /** 32 random bytes, base64. */
    tokenKey: required('HOVER_TOKEN_KEY'),
    /** Public URL of the webhook route; unset: webhooks off. */
    webhookUrl: process.env.APP_WEBHOOK_URL || undefined,
  };
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
export class AppConfigModule {}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set.`);
  return value;
}
