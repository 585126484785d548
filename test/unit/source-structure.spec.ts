/**
 * The shape of src/: no import cycle between files (type-only imports included), the library never
 * imports the standalone app, and the entry points that promise it load no optional backend.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const SRC = resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

const FILES = sourceFiles(SRC);
const name = (path: string): string => relative(SRC, path);

/** Every import of every file, type-only ones included. */
const IMPORTS = new Map(
  FILES.map((file) => [
    file,
    ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((imported) => imported.fileName),
  ]),
);

/** What a file requires at run time: its imports as compiled (type-only imports are gone). */
function runtimeImports(file: string): string[] {
  const output = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: true },
  }).outputText;
  return [...output.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]);
}

/** The bare packages an entry point loads, following its relative requires through src/. */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (target) visit(target);
      } else if (!specifier.startsWith('node:')) {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
  };
  visit(join(SRC, entry));
  return packages;
}

const APP_FILES = /^(config\/|demo\/|app\.|main\.ts$|asyncapi\.controller\.ts$)/;

describe('src/ structure', () => {
  it('has no import cycle between files (type-only imports count)', () => {
    const edges = new Map(
      FILES.map((file) => [
        file,
        (IMPORTS.get(file) ?? []).filter((s) => s.startsWith('.')).flatMap((s) => resolveRelative(file, s) ?? []),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map(name).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of FILES) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('the library never imports the standalone app (src/config, src/demo, src/app.*, src/main.ts, the AsyncAPI controller)', () => {
    const offenders = FILES.filter((file) => !APP_FILES.test(name(file))).flatMap((file) =>
      (IMPORTS.get(file) ?? [])
        .filter((s) => s.startsWith('.'))
        .flatMap((s) => resolveRelative(file, s) ?? [])
        .filter((target) => APP_FILES.test(name(target)))
        .map((target) => `${name(file)} imports ${name(target)}`),
    );
    expect(offenders).toEqual([]);
    const logger = FILES.filter((file) => !APP_FILES.test(name(file)) && readFileSync(file, 'utf8').includes('createAppLogger'));
    expect(logger.map(name)).toEqual([]);
  });

  it('the root entry loads none of the optional backends', () => {
    const loaded = packagesLoadedBy('index.ts');
    for (const optional of ['ioredis', 'typeorm', '@nestjs/typeorm', 'prom-client', '@nestjs/terminus', '@nestjs/swagger']) {
      expect([optional, loaded.has(optional)]).toEqual([optional, false]);
    }
  });

  it('/health loads no ioredis (it finds RedisClusterNode by token when Redis is in the app)', () => {
    expect(packagesLoadedBy('health/index.ts').has('ioredis')).toBe(false);
    expect(packagesLoadedBy('redis/index.ts').has('ioredis')).toBe(true);
  });
});
