import { HoverConnectionsService } from '@hover-auth/nestjs';
import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { connectionIdOf, requireUser } from './app-users';

/** `POST /connection/disconnect`: deletes the signed-in user's Hover connection, then back to the home page. */
@Controller('connection')
export class ConnectionController {
  constructor(private readonly connections: HoverConnectionsService) {}

  @Post('disconnect')
  async disconnect(@Req() request: Request, @Res() response: Response): Promise<void> {
    const user = requireUser(request);
    await this.connections.disconnect(connectionIdOf(user));
    response.redirect(303, '/');
  }
}
