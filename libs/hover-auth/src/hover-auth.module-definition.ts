import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import {
  HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY,
  HOVER_CONNECTION_ENTITY_REPOSITORY,
  HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY,
  HOVER_WEBHOOK_ENTITY_REPOSITORY,
} from './hover-auth.constants';
import type { HoverAuthModuleExtras, HoverAuthModuleOptions } from './hover-auth-options.interface';
import { HoverOAuthController } from './oauth/hover-oauth.controller';
import { HoverAuthorizationState } from './tokens/hover-authorization-state.entity';
import { HoverConnection } from './tokens/hover-connection.entity';
import { HoverWebhookDeliveryRecord } from './tokens/hover-webhook-delivery.entity';
import { HoverWebhook } from './tokens/hover-webhook.entity';
import { hoverAuthEntities } from './tokens';

const DEFAULT_EXTRAS: HoverAuthModuleExtras = { isGlobal: false, mountController: true, dataSource: undefined };

/** Applies the synchronous extras: they decide the module graph, so they never come from a factory. */
function applyExtras(definition: DynamicModule, extras: HoverAuthModuleExtras): DynamicModule {
  return {
    ...definition,
    global: extras.isGlobal ?? false,
    imports: [...(definition.imports ?? []), TypeOrmModule.forFeature(hoverAuthEntities, extras.dataSource)],
    controllers: [...(definition.controllers ?? []), ...(extras.mountController === false ? [] : [HoverOAuthController])],
    providers: [
      ...(definition.providers ?? []),
      { provide: HOVER_CONNECTION_ENTITY_REPOSITORY, useExisting: getRepositoryToken(HoverConnection, extras.dataSource) },
      {
        provide: HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY,
        useExisting: getRepositoryToken(HoverAuthorizationState, extras.dataSource),
      },
      { provide: HOVER_WEBHOOK_ENTITY_REPOSITORY, useExisting: getRepositoryToken(HoverWebhook, extras.dataSource) },
      { provide: HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY, useExisting: getRepositoryToken(HoverWebhookDeliveryRecord, extras.dataSource) },
    ],
  };
}

export const {
  ConfigurableModuleClass: HoverAuthConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: HOVER_AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: HOVER_AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HOVER_AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HoverAuthModuleOptions>({ moduleName: 'HoverAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createHoverAuthOptions')
  .setExtras<HoverAuthModuleExtras>(DEFAULT_EXTRAS, applyExtras)
  .build();
