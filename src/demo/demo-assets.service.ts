import { Inject, Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEMO_OPTIONS } from './demo-options';
import type { DemoModuleOptions } from './demo-options';

/** Folder of the page's own files; `nest build` copies it next to the compiled controller (nest-cli.json assets). */
const PUBLIC_DIR = join(__dirname, 'public');
/** The SDK's UMD bundle from the installed package (it bundles loglevel and sets `window.log` itself). */
const SDK_BUNDLE = '@antmedia/webrtc_adaptor/dist/browser/webrtc_adaptor.js';
/**
 * MediaPipe's SelfieSegmentation, a dependency of the SDK package: the bundle's video-effect plugin
 * constructs it (as a global) for every WebRTCAdaptor, so the page must load it first.
 */
const SELFIE_SEGMENTATION = '@mediapipe/selfie_segmentation/selfie_segmentation.js';
const PATH_PLACEHOLDER = '%SIGNALING_PATH%';

/** The demo page's files, read once at startup. */
@Injectable()
export class DemoAssets {
  private readonly logger = new Logger(DemoAssets.name);
  readonly page: string;
  readonly script: string;
  readonly stylesheet: string;
  readonly sdk: string;
  readonly selfieSegmentation: string;

  constructor(@Inject(DEMO_OPTIONS) options: DemoModuleOptions) {
    this.page = readAsset(join(PUBLIC_DIR, 'index.html')).replace(PATH_PLACEHOLDER, escapeAttribute(options.signalingPath));
    this.script = readAsset(join(PUBLIC_DIR, 'demo.js'));
    this.stylesheet = readAsset(join(PUBLIC_DIR, 'demo.css'));
    const sdkPath = require.resolve(SDK_BUNDLE);
    this.sdk = readAsset(sdkPath);
    // Resolved from the SDK package, whose dependency it is.
    this.selfieSegmentation = readAsset(require.resolve(SELFIE_SEGMENTATION, { paths: [dirname(sdkPath)] }));
    this.logger.debug(`demo page assets from ${PUBLIC_DIR}, SDK from ${sdkPath}`);
  }
}

function readAsset(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Demo page: cannot read ${path} (${(error as Error).message}); "nest build" copies src/demo/public`);
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
