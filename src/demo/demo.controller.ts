import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DemoAssets } from './demo-assets.service';

/** Scripts, styles and the signaling WebSocket only from this server; the favicon is a data: URL. */
const PAGE_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The browser demo: a one-to-one call page using Ant Media's unmodified JS SDK. */
@ApiExcludeController()
@Controller()
export class DemoController {
  constructor(private readonly assets: DemoAssets) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('Content-Security-Policy', PAGE_POLICY)
  page(): string {
    return this.assets.page;
  }

  @Get('demo/demo.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return this.assets.script;
  }

  @Get('demo/demo.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  stylesheet(): string {
    return this.assets.stylesheet;
  }

  @Get('sdk/webrtc_adaptor.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  sdk(): string {
    return this.assets.sdk;
  }

  @Get('sdk/selfie_segmentation.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  selfieSegmentation(): string {
    return this.assets.selfieSegmentation;
  }
}
