import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import {
  HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY,
  HOVER_CONNECTION_ENTITY_REPOSITORY,
  HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY,
  HOVER_WEBHOOK_ENTITY_REPOSITORY,
} from '../hover-auth.constants';
import type { HoverAuthorizationState } from './hover-authorization-state.entity';
import type { HoverConnection } from './hover-connection.entity';
import type { HoverWebhookDeliveryRecord } from './hover-webhook-delivery.entity';
import type { HoverWebhook } from './hover-webhook.entity';

const ENTITIES_FIX =
  "Add hover-auth's entities to your DataSource: TypeOrmModule.forRoot({ …, entities: [...hoverAuthEntities, ...yours] }) (import { hoverAuthEntities } from '@hover-auth/nestjs'), or use autoLoadEntities: true.";
const MIGRATIONS_FIX =
  "Add hover-auth's migrations to your DataSource and run them: migrations: [...hoverAuthMigrations, ...yours] with migrationsRun: true, or the TypeORM CLI (migration:run) before starting the app.";

/**
 * Checks at startup that the host's DataSource knows hover-auth's entities and that their tables have
 * every column this version uses (the migrations ran): otherwise the first request would fail with a
 * raw TypeORM error. One `SELECT … WHERE 1 = 0` per table, at bootstrap only.
 *
 * @throws {HoverAuthConfigurationError} naming what is missing and how to fix it
 */
@Injectable()
export class HoverAuthSchemaCheck implements OnModuleInit {
  constructor(
    @Inject(HOVER_CONNECTION_ENTITY_REPOSITORY) private readonly connections: Repository<HoverConnection>,
    @Inject(HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY) private readonly states: Repository<HoverAuthorizationState>,
    @Inject(HOVER_WEBHOOK_ENTITY_REPOSITORY) private readonly webhooks: Repository<HoverWebhook>,
    @Inject(HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY) private readonly deliveries: Repository<HoverWebhookDeliveryRecord>,
  ) {}

  async onModuleInit(): Promise<void> {
    const problems: string[] = [];
    for (const repository of [this.connections, this.states, this.webhooks, this.deliveries] as Repository<object>[]) {
      const dataSource = repository.manager.connection;
      if (!dataSource.hasMetadata(repository.target)) {
        problems.push(`The DataSource has no entity ${nameOf(repository.target)}. ${ENTITIES_FIX}`);
        continue;
      }
      try {
        // Selects every mapped column of an empty result: fails if the table or a column is missing.
        await repository.createQueryBuilder('row').where('1 = 0').getMany();
      } catch {
        problems.push(`The table ${repository.metadata.tablePath} is missing or out of date. ${MIGRATIONS_FIX}`);
      }
    }
    if (problems.length > 0) throw new HoverAuthConfigurationError([...new Set(problems)]);
  }
}

function nameOf(target: unknown): string {
  return typeof target === 'function' ? target.name : String(target);
}
