import { DEFAULT_CONNECTION_ID, HoverConnectionsService, type HoverConnectionInfo } from '@hover-auth/nestjs';
import { Command } from 'nest-commander';
import { CliCommand } from './cli-command';
import { CliFailure } from './cli-failure.error';
import { describeOrg, printable, printLine } from './cli-output';
import { connectionIdArgument } from './connection-id-argument';

/**
 * `status [id]`: one connection (default `default`) from `HoverConnectionsService.get`: status, Hover
 * org and user, integrations, access token expiry, whether the stored tokens decrypt. Never a token.
 *
 * Exit codes: 0 shown; 1 no connection stored under the id; 2 invalid id or extra arguments.
 */
@Command({
  name: 'status',
  arguments: '[id]',
  argsDescription: { id: `connection id (default "${DEFAULT_CONNECTION_ID}")` },
  description: 'Show a Hover connection: status, org, integrations, token expiry, whether its tokens decrypt',
})
export class StatusCommand extends CliCommand {
  constructor(private readonly connections: HoverConnectionsService) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const connectionId = id === undefined ? DEFAULT_CONNECTION_ID : connectionIdArgument(id, 'status [id]');
    const connection = await this.connections.get(connectionId);
    if (!connection) throw new CliFailure(`No Hover connection "${printable(connectionId)}".`);
    for (const line of describeConnection(connection)) printLine(line);
  }
}

/** `label: value` lines of a connection, with what to do when it needs attention. */
function describeConnection(connection: HoverConnectionInfo): string[] {
  const lines = [
    ['Connection', printable(connection.connectionId)],
    ['Status', connection.status],
    ['Hover org', describeOrg(connection.hoverOrgName, connection.hoverOrgId)],
    ['Hover user', connection.hoverUserId === null ? 'unknown' : printable(connection.hoverUserId)],
    ['Integrations', connection.integrationsEnabled ? 'available' : 'unavailable on the org\'s plan'],
    ['Access token expires', connection.accessTokenExpiresAt.toISOString()],
    ['Tokens readable', connection.tokensReadable ? 'yes' : 'no (not with the configured HOVER_ENCRYPTION_KEYS)'],
    ['Connected', connection.createdAt.toISOString()],
    ['Updated', connection.updatedAt.toISOString()],
  ].map(([label, value]) => `${`${label}:`.padEnd(22)}${value}`);
  if (connection.status === 'reauthorization_required' || !connection.tokensReadable) {
    lines.push(`Reconnect with: npm run cli -- connect --connection ${printable(connection.connectionId)}`);
  }
  return lines;
}
