import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ADMIN_API_PREFIX } from '../admin-controller.decorator';
import { ConsoleAssets } from './console-assets.service';

export const CONSOLE_PATH = 'console';

/**
 * Scripts, styles and API calls only from this server; no inline script or style element (uPlot sets
 * element styles through the DOM, which CSP allows); the page may not be framed or post forms.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A path the page may name as its own: what a route under a global prefix looks like, nothing else. */
const SAFE_PATH = /^(\/[A-Za-z0-9._~-]+)*\/console$/i;

/**
 * The operator console at /console (under the app's global prefix, if any): a static page that calls
 * the admin API of the same server with the key the operator pastes. The page and its files carry no
 * data and need no key.
 */
@ApiExcludeController()
@Controller(CONSOLE_PATH)
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('Content-Security-Policy', PAGE_POLICY)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  page(@Req() request: { url?: string; originalUrl?: string }): string {
    // The path it was asked for, so that its files and the API resolve under a host app's global prefix.
    const asked = (request.originalUrl ?? request.url ?? '').split('?')[0].replace(/\/+$/, '');
    const base = SAFE_PATH.test(asked) ? asked : `/${CONSOLE_PATH}`;
    return this.assets.pageFor(base, `${base.slice(0, -CONSOLE_PATH.length)}${ADMIN_API_PREFIX}`);
  }

  @Get('console.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return this.assets.script;
  }

  @Get('console.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  stylesheet(): string {
    return this.assets.stylesheet;
  }

  @Get('uplot.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  uplotScript(): string {
    return this.assets.uplotScript;
  }

  @Get('uplot.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  uplotStylesheet(): string {
    return this.assets.uplotStylesheet;
  }
}
