import { HoverConnectionsService } from '@hover-auth/nestjs';
import { Command } from 'nest-commander';
import { CliCommand } from './cli-command';
import { CliFailure } from './cli-failure.error';
import { printable, printLine } from './cli-output';
import { connectionIdArgument } from './connection-id-argument';

/**
 * `disconnect <id>`: deletes the stored connection (`HoverConnectionsService.disconnect`). Hover's
 * grant itself is not revoked (Hover documents no revocation endpoint); a user can remove the app in
 * Hover.
 *
 * Exit codes: 0 deleted; 1 there was no connection under the id; 2 missing or invalid id, or extra
 * arguments.
 */
@Command({
  name: 'disconnect',
  arguments: '<id>',
  argsDescription: { id: 'connection id' },
  description: 'Delete a stored Hover connection',
})
export class DisconnectCommand extends CliCommand {
  constructor(private readonly connections: HoverConnectionsService) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const connectionId = connectionIdArgument(id, 'disconnect <id>');
    if (!(await this.connections.disconnect(connectionId))) {
      throw new CliFailure(`No Hover connection "${printable(connectionId)}" to disconnect.`);
    }
    printLine(`Disconnected ${printable(connectionId)} (its tokens are deleted; Hover's grant is not revoked).`);
  }
}
