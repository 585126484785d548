/**
 * The README's configuration table and `.env.example` name exactly the variables the app's schema
 * knows (src/config/app-env.ts), and show the defaults it applies (app-env.spec.ts checks that those
 * are the applied ones).
 */
import { parse } from 'dotenv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ENV_VARIABLES, describeAppEnvVariable, type AppEnvName } from '../../src/config/app-env';

const ROOT = join(__dirname, '..', '..');
const SCHEMA = Object.keys(APP_ENV_VARIABLES).sort();

/** Rows of the table under "## Configuration": the variables of the first cell, the second cell. */
function readmeRows(): Array<{ names: string[]; defaults: string }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Configuration\b.*$([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## Configuration" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [, first, second] = line.split('|');
      return { names: [...first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]), defaults: second };
    });
}

/** `# NAME=value  # comment` lines, uncommented and parsed as the app's .env parser (dotenv) would. */
function envExample(): { names: string[]; values: Record<string, string> } {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^# ?[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => line.replace(/^# ?/, ''));
  return { names: lines.map((line) => line.slice(0, line.indexOf('='))), values: parse(lines.join('\n')) };
}

describe('configuration documentation', () => {
  it('the README table names every variable of the schema, once, and no other', () => {
    const names = readmeRows().flatMap((row) => row.names);
    expect([...names].sort()).toEqual(SCHEMA);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the README table shows each literal default in the row of its variable', () => {
    for (const row of readmeRows()) {
      for (const name of row.names) {
        const { default: fallback } = describeAppEnvVariable(name as AppEnvName);
        if (fallback !== undefined) expect({ name, defaults: row.defaults }).toEqual({ name, defaults: expect.stringContaining(`\`${fallback}\``) });
      }
    }
  });

  it('.env.example has every variable of the schema, commented out, once, and no other', () => {
    const { names } = envExample();
    expect([...names].sort()).toEqual(SCHEMA);
    expect(new Set(names).size).toBe(names.length);
    const uncommented = readFileSync(join(ROOT, '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^\s*[A-Z][A-Z0-9_]*\s*=/.test(line));
    expect(uncommented).toEqual([]);
  });

  it('.env.example shows each default (empty when there is none)', () => {
    const { values } = envExample();
    for (const name of SCHEMA) {
      expect({ name, value: values[name] }).toEqual({ name, value: describeAppEnvVariable(name as AppEnvName).default ?? '' });
    }
  });
});
