import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type HttpServer,
  type INestApplication,
  type NestApplicationOptions,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import helmet from 'helmet';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { SWAGGER_PATH } from './admin/admin-swagger';
import { logSafe } from './signaling/log-safe';

/*
 * HTTP hardening of the standalone app (the library leaves its host's HTTP stack alone):
 * no body parsers, helmet's headers with a Content-Security-Policy per kind of page, and client
 * errors (4xx) kept out of the error log.
 */

/**
 * Options for NestFactory.create. No route of the app reads a request body (the admin API is GET and
 * DELETE, the rest GET), so nothing parses one: a body sent anyway, broken, compressed or huge, is
 * never read, and its request ends like any other (404 for a route that does not exist).
 */
export const HTTP_HARDENING_APP_OPTIONS = { bodyParser: false } as const satisfies NestApplicationOptions;

/**
 * Every response's policy: JSON, metrics, YAML and the demo page's scripts are not documents that
 * load anything. The demo page (`/`) sets its own policy in its controller, which replaces this one.
 */
const DEFAULT_POLICY = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * Swagger UI's page: its scripts are files from this server (swagger-ui-bundle.js, and
 * swagger-ui-init.js, which holds the document), never inline and never eval'd. Its HTML has inline
 * `<style>` blocks and attributes and its bundle renders `<style>` elements (the logo's), so inline
 * styles are allowed; with nothing loadable from another origin, they cannot send anything away.
 * Its stylesheet uses data: images; "Try it out" calls this server.
 */
const SWAGGER_UI_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The paths of Swagger UI's page (SwaggerModule serves it at these three). */
const SWAGGER_UI_PAGES = new Set([`/${SWAGGER_PATH}`, `/${SWAGGER_PATH}/`, `/${SWAGGER_PATH}/index.html`]);

/**
 * Errors that are not HttpExceptions but carry a 4xx status (http-errors' `statusCode`, or Express's
 * `status`), such as a body parser's or any Express middleware's: Nest answers them, but logs each at
 * error level with its stack trace, so anyone could fill the log. Here they are answered with their
 * status and logged at debug level, one line. Everything else gets Nest's usual handling.
 */
@Catch()
export class ClientErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HttpClientError');

  constructor(private readonly adapter: HttpServer) {
    super(adapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const status = clientErrorStatus(exception);
    if (exception instanceof HttpException || status === undefined || host.getType() !== 'http') {
      super.catch(exception, host);
      return;
    }
    const request = host.switchToHttp().getRequest<IncomingMessage>();
    const response: unknown = host.switchToHttp().getResponse();
    const error = exception as { message?: unknown; expose?: unknown };
    // http-errors' `expose` says whether the message is meant for the client; otherwise the status text.
    const message = error.expose === true && typeof error.message === 'string' ? error.message : (STATUS_CODES[status] ?? 'Error');
    if (this.adapter.isHeadersSent(response)) this.adapter.end(response);
    else this.adapter.reply(response, { statusCode: status, message }, status);
    // Both are the client's text (the query string left out).
    this.logger.debug(`${logSafe(request.method, 20)} ${logSafe((request.url ?? '').split('?')[0])}: ${status} ${logSafe(message)}`);
  }
}

/** The 4xx status an error carries (http-errors' `statusCode`/`status`, as Express reads it), if any. */
function clientErrorStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode, status } = exception as { statusCode?: unknown; status?: unknown };
  const code = typeof statusCode === 'number' ? statusCode : status;
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code < 500 ? code : undefined;
}

/**
 * Helmet's headers on every response (API, metrics, health, the demo page, Swagger UI, 404s), a
 * Content-Security-Policy for each kind of page, and the client-error filter. Call it before
 * anything registers routes or middleware on the Express instance (SwaggerModule.setup does so at once).
 */
export function applyHttpHardening(app: INestApplication): void {
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: DEFAULT_POLICY },
      // Nothing of the app is meant to be framed (the policies say frame-ancestors 'none' as well).
      xFrameOptions: { action: 'deny' },
      // The app cannot know the other hosts of its domain: HSTS for this host only.
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
    }),
  );
  const swaggerUiPolicy = helmet.contentSecurityPolicy({ useDefaults: false, directives: SWAGGER_UI_POLICY });
  // Express routes ignore case: so does this.
  app.use((request: IncomingMessage & { path: string }, response: ServerResponse, next: (error?: Error) => void) =>
    SWAGGER_UI_PAGES.has(request.path.toLowerCase()) ? swaggerUiPolicy(request, response, next) : next(),
  );
  app.useGlobalFilters(new ClientErrorFilter(app.getHttpAdapter()));
}
