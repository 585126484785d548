import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Folder of the console's own files; `nest build` copies it next to the compiled code (nest-cli.json assets). */
const PUBLIC_DIR = join(__dirname, 'public');
/** uPlot's browser bundle and stylesheet, from the installed `uplot` package (a dependency of this one). */
const UPLOT_SCRIPT = 'uplot/dist/uPlot.iife.min.js';
const UPLOT_STYLESHEET = 'uplot/dist/uPlot.min.css';

/** The operator console's files, read once when the module starts. */
@Injectable()
export class ConsoleAssets {
  readonly page: string;
  readonly script: string;
  readonly stylesheet: string;
  readonly uplotScript: string;
  readonly uplotStylesheet: string;

  constructor() {
    this.page = readAsset(join(PUBLIC_DIR, 'console.html'));
    this.script = readAsset(join(PUBLIC_DIR, 'console.js'));
    this.stylesheet = readAsset(join(PUBLIC_DIR, 'console.css'));
    this.uplotScript = readAsset(require.resolve(UPLOT_SCRIPT));
    this.uplotStylesheet = readAsset(require.resolve(UPLOT_STYLESHEET));
  }

  /** The page for a console served at `base` (its path, e.g. `/console`), whose admin API is at `api`. */
  pageFor(base: string, api: string): string {
    return this.page.replace(/%BASE%/g, escapeAttribute(base)).replace(/%API%/g, escapeAttribute(api));
  }
}

function readAsset(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Operator console: cannot read ${path} (${(error as Error).message}); "nest build" copies src/admin/console/public`);
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
