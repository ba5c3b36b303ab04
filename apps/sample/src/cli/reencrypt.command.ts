import { HoverConnectionsService, type ResolvedHoverAuthOptions, InjectHoverAuthOptions } from '@hover-auth/nestjs';
import { Command } from 'nest-commander';
import { CliCommand } from './cli-command';
import { CliFailure } from './cli-failure.error';
import { printable, printLine } from './cli-output';

/**
 * `reencrypt`: re-encrypts every stored token with the newest key of HOVER_ENCRYPTION_KEYS
 * (`HoverConnectionsService.reencryptAll`), step 2 of a key rotation (README "Tokens at rest"); also
 * `npm run tokens:reencrypt`. Prints counts and the key id, never a token or a key.
 *
 * Exit codes: 0 every row is on the newest key; 1 rows left unchanged (named on stderr: could not be
 * decrypted, or stayed busy refreshing: run again); 2 extra arguments.
 */
@Command({ name: 'reencrypt', description: 'Re-encrypt every stored Hover token with the newest key of HOVER_ENCRYPTION_KEYS' })
export class ReencryptCommand extends CliCommand {
  constructor(
    private readonly connections: HoverConnectionsService,
    @InjectHoverAuthOptions() private readonly options: ResolvedHoverAuthOptions,
  ) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.connections.reencryptAll();
    printLine(`Re-encrypted ${result.reencrypted} of ${result.rows} Hover connections with key "${printable(this.options.encryptionKeys[0].id)}".`);
    const webhooks = result.webhookSecrets ?? { rows: 0, reencrypted: 0, failed: [] };
    if (webhooks.rows > 0) printLine(`Re-encrypted ${webhooks.reencrypted} of ${webhooks.rows} Hover webhook secrets.`);
    if (result.failed.length > 0) {
      process.stderr.write(`Could not decrypt (left unchanged; keep their key until fixed): ${result.failed.map(printable).join(', ')}\n`);
    }
    if (webhooks.failed.length > 0) {
      process.stderr.write(`Could not decrypt the secrets of these webhooks (left unchanged; keep their key until fixed): ${webhooks.failed.map(printable).join(', ')}\n`);
    }
    if (result.skipped.length > 0) {
      process.stderr.write(`Busy refreshing (left unchanged; run the command again): ${result.skipped.map(printable).join(', ')}\n`);
    }
    if (result.failed.length + result.skipped.length + webhooks.failed.length > 0) throw new CliFailure(null);
  }
}
