import { HoverAuthorizationState } from './hover-authorization-state.entity';
import { HoverConnection } from './hover-connection.entity';
import { HoverWebhookDeliveryRecord } from './hover-webhook-delivery.entity';
import { HoverWebhook } from './hover-webhook.entity';

/** Entities of hover-auth. Spread them into the host's DataSource: `entities: [...hoverAuthEntities, ...yours]`. */
export const hoverAuthEntities = [HoverConnection, HoverAuthorizationState, HoverWebhook, HoverWebhookDeliveryRecord];
