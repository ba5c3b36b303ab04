import { HoverConnectionsService, type HoverConnectionInfo, type HoverConnectionStatus } from '@hover-auth/nestjs';
import { Command, Option } from 'nest-commander';
import { CliCommand } from './cli-command';
import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';
import { describeOrg, formatTable, printable, printLine } from './cli-output';

const STATUSES: readonly HoverConnectionStatus[] = ['active', 'reauthorization_required'];

interface ListOptions {
  status?: HoverConnectionStatus;
  page?: number;
  perPage?: number;
}

/**
 * `list [--status active|reauthorization_required] [--page N] [--per-page N]`: a table of connections
 * from `HoverConnectionsService.list`, ordered by connection id, 50 per page by default, then a
 * `Page N of M` line. Never a token.
 *
 * Exit codes: 0 listed (also when there is none); 2 invalid `--status`, `--page` (an integer ≥ 1) or
 * `--per-page` (1–200), or extra arguments.
 */
@Command({ name: 'list', description: 'List Hover connections (a table, one page at a time)' })
export class ListCommand extends CliCommand {
  constructor(private readonly connections: HoverConnectionsService) {
    super();
  }

  /** `--status <status>`: only connections with this status. Default: all. */
  @Option({ flags: '--status <status>', description: `only connections with this status: ${STATUSES.join(' or ')}` })
  parseStatus(value: string): HoverConnectionStatus {
    if (!STATUSES.includes(value as HoverConnectionStatus)) {
      throw new CliFailure(`--status must be ${STATUSES.join(' or ')}.`, CLI_EXIT_CODES.USAGE);
    }
    return value as HoverConnectionStatus;
  }

  /** `--page <n>`: 1-based page number. Default 1. */
  @Option({ flags: '--page <n>', description: 'page number, from 1 (default 1)' })
  parsePage(value: string): number {
    return wholeNumber(value, '--page', 1, Number.MAX_SAFE_INTEGER);
  }

  /** `--per-page <n>`: page size, 1–200. Default 50. */
  @Option({ flags: '--per-page <n>', description: 'connections per page, 1-200 (default 50)' })
  parsePerPage(value: string): number {
    return wholeNumber(value, '--per-page', 1, 200);
  }

  async run(_arguments: string[], options: ListOptions = {}): Promise<void> {
    const page = await this.connections.list({ status: options.status, page: options.page, perPage: options.perPage });
    const filter = options.status ? ` with status ${options.status}` : '';
    if (page.total === 0) {
      printLine(`No Hover connections${filter}.`);
      return;
    }
    if (page.items.length > 0) {
      for (const line of formatTable([HEADER, ...page.items.map(row)])) printLine(line);
    }
    printLine(`Page ${page.page} of ${page.totalPages} (${page.total} connection${page.total === 1 ? '' : 's'}${filter}).`);
  }
}

const HEADER = ['CONNECTION', 'STATUS', 'HOVER ORG', 'INTEGRATIONS', 'TOKENS', 'ACCESS TOKEN EXPIRES'];

function row(connection: HoverConnectionInfo): string[] {
  return [
    printable(connection.connectionId),
    connection.status,
    describeOrg(connection.hoverOrgName, connection.hoverOrgId),
    connection.integrationsEnabled ? 'yes' : 'no',
    connection.tokensReadable ? 'readable' : 'unreadable',
    connection.accessTokenExpiresAt.toISOString(),
  ];
}

/** A decimal integer within bounds, else a usage error naming the option (not echoing the value). */
function wholeNumber(value: string, option: string, min: number, max: number): number {
  const number = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new CliFailure(`${option} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}.`, CLI_EXIT_CODES.USAGE);
  }
  return number;
}
