import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME } from './admin-controller.decorator';

export const SWAGGER_PATH = 'api/docs';

export interface AdminSwaggerOptions {
  /** Where the host serves the AsyncAPI document of the WebSocket protocol (docs/asyncapi.yaml), if it does. */
  asyncApiUrl?: string;
  /** Where the host serves the operator console (AdminConsoleModule: `/console`), if it does. */
  consoleUrl?: string;
}

/** The OpenAPI document of the admin API; `signalingPath` is the WebSocket path it mentions. */
export function buildAdminOpenApi(app: INestApplication, signalingPath: string, options: AdminSwaggerOptions = {}): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('P2P signaling admin API')
    .setDescription(
      [
        'Operators: see active rooms and sessions, read room/session history, force a peer or a room to leave.',
        ...(options.consoleUrl
          ? ['', `To watch rather than read JSON, open the [operator console](${options.consoleUrl}): live rooms and peers, charts of the history, a remove button per peer and room.`]
          : []),
        '',
        'Every route needs the admin API key: click **Authorize** and paste it as the bearer token (or as `X-API-Key`).',
        'The standalone app prints it when it generates it, on its first start (it is kept in `data/admin-api-key` unless `ADMIN_API_KEY` is set).',
        '',
        `Clients signal over the WebSocket at \`${signalingPath}\` with Ant Media Server's P2P protocol` +
          (options.asyncApiUrl ? `: see the [AsyncAPI document](${options.asyncApiUrl}).` : '.'),
        '',
        'Not in this document (see the README): the Prometheus endpoint `GET /metrics` (open unless `METRICS_API_KEY` is set) ' +
          'and the probes `GET /health/live` and `GET /health/ready` (open), which use no admin key.',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The admin API key.' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The admin API key.' }, API_KEY_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /api/docs, the OpenAPI JSON at /api/docs-json. */
export function setupAdminSwagger(app: INestApplication, signalingPath: string, options: AdminSwaggerOptions = {}): void {
  SwaggerModule.setup(SWAGGER_PATH, app, () => buildAdminOpenApi(app, signalingPath, options), {
    swaggerOptions: { persistAuthorization: true },
  });
}
