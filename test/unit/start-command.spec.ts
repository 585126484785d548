import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('how the standalone app is started', () => {
  const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;

  it('npm start runs the built app with a 32 MB young generation (bench/README.md: the relay tail)', () => {
    expect(start).toBe('node --max-semi-space-size=32 dist/src/main.js');
  });

  it('README and the scale-out guide give process managers the same command', () => {
    const readme = read('README.md').replace(/\s+/g, ' ');
    expect(readme).toContain(`Process managers should run \`${start}\` directly`);
    expect(readme).toContain(`then runs \`${start}\``);
    expect(read('docs/scale-out.md')).toContain(start);
  });
});
