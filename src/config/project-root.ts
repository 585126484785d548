import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding this package's package.json, from sources (ts-jest) and from dist/ alike. */
export function projectRoot(start: string = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}
