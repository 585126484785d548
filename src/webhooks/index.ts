/**
 * `nest-ams-p2p-signaling/webhooks`: signed HTTP POSTs of the lifecycle events. No extra dependency.
 */
export { WebhooksModule } from './webhooks.module';
export { WEBHOOK_MODULE_OPTIONS, WEBHOOK_OPTIONS_TYPE, WEBHOOK_ASYNC_OPTIONS_TYPE } from './webhooks.module-definition';
export { WebhookDispatcher } from './webhook-dispatcher.service';
export { WEBHOOK_OPTIONS } from './webhook-options.interface';
export type { WebhookModuleOptions, ResolvedWebhookOptions } from './webhook-options.interface';
export { WEBHOOK_DEFAULTS, resolveWebhookOptions } from './webhook-options';
export type {
  WebhookPayload,
  RoomOpenedPayload,
  PeerJoinedPayload,
  CallStartedPayload,
  PeerLeftPayload,
  RoomClosedPayload,
} from './webhook-payload';
export {
  webhookSignature,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  ATTEMPT_HEADER,
} from './webhook-signature';
export type { WebhookVerification } from './webhook-signature';
