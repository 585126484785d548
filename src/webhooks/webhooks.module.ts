import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WEBHOOK_OPTIONS, type WebhookModuleOptions } from './webhook-options.interface';
import { resolveWebhookOptions } from './webhook-options';
import { ConfigurableWebhooksModule, WEBHOOK_MODULE_OPTIONS } from './webhooks.module-definition';

/**
 * Signed HTTP webhooks of the signaling lifecycle events:
 * `WebhooksModule.forRoot({ urls, secret })` or `forRootAsync({ useFactory })`.
 * Needs SignalingModule's providers (import it with `isGlobal: true`).
 */
@Module({
  providers: [
    {
      provide: WEBHOOK_OPTIONS,
      useFactory: (options: WebhookModuleOptions) => resolveWebhookOptions(options),
      inject: [WEBHOOK_MODULE_OPTIONS],
    },
    WebhookDispatcher,
  ],
  exports: [WebhookDispatcher],
})
export class WebhooksModule extends ConfigurableWebhooksModule {}
