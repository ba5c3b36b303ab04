import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

// rawBody: hover-auth checks webhook signatures over the body as received.
const app = await NestFactory.create(AppModule, { rawBody: true });
await app.listen(Number(process.env.PORT ?? 3000));
