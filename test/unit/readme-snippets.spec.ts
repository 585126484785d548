/**
 * README.md as a host app meets it. Every ```ts snippet says in its first line the project it is for
 * (`// A \`nest new\` project on Nest 11 (CommonJS): src/main.ts`); each is type-checked with the
 * TypeScript compiler API as a file of such a project: that project kind's tsconfig (what `nest new`
 * generates), its package.json (`"type": "module"` or not), `@types/node`, and this package installed
 * in its node_modules the way `npm pack` would ship it (declarations built from the current sources
 * into a temp folder, reached through package.json `exports`/`typesVersions`, only the files that
 * `files` packs). A snippet that is only a fragment starts with `// partial` and is skipped.
 *
 * The install table (entry → exports → peers) is checked against the package too: every entry point
 * has a row, the names it lists are exported there, and every package the entry's compiled code
 * requires is listed (and is a peer dependency).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  files: string[];
  peerDependencies: Record<string, string>;
  dependencies?: Record<string, string>;
};

// ---------------------------------------------------------------------------------------------
// Project kinds. A snippet's first line is `// <label>` (then anything, usually `: src/main.ts`).
// ---------------------------------------------------------------------------------------------

/** tsconfig.json of `nest new` on Nest 11: @nestjs/schematics 11.1.0, lib/application/files/ts/tsconfig.json. */
function nest11Tsconfig(strict: boolean): Record<string, unknown> {
  return {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    resolvePackageJsonExports: true,
    esModuleInterop: true,
    isolatedModules: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    sourceMap: true,
    outDir: './dist',
    baseUrl: './',
    incremental: true,
    skipLibCheck: true,
    strictNullChecks: true,
    forceConsistentCasingInFileNames: true,
    noImplicitAny: strict,
    strictBindCallApply: strict,
    noFallthroughCasesInSwitch: strict,
  };
}

/**
 * tsconfig.json of `nest new` on Nest 12 (ESM is its default): @nestjs/schematics 12.0.6,
 * lib/application/files/ts-esm/tsconfig.json (its package.json has `"type": "module"`).
 */
function nest12EsmTsconfig(strict: boolean): Record<string, unknown> {
  return {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    resolvePackageJsonExports: true,
    esModuleInterop: true,
    isolatedModules: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    sourceMap: true,
    outDir: './dist',
    rootDir: '.',
    incremental: true,
    skipLibCheck: true,
    strict,
    strictPropertyInitialization: false,
    types: ['vitest/globals', 'node'],
  };
}

interface Variant {
  /** How a failure names it. */
  name: string;
  packageJson: Record<string, unknown>;
  compilerOptions: Record<string, unknown>;
  /** Extra checks that only hold for this kind of module. */
  canaries: Canary[];
}

interface ProjectKind {
  label: string;
  variants: Variant[];
}

interface Canary {
  name: string;
  code: string;
  /** Diagnostic codes any one of which must be reported. */
  codes: number[];
}

/** Mistakes the check must catch in any project kind (proof that it type-checks what it is given). */
const COMMON_CANARIES: Canary[] = [
  {
    name: 'an optional part imported from the root',
    code: "import { PersistenceModule } from 'nest-ams-p2p-signaling';\nexport const part = PersistenceModule;\n",
    codes: [2305], // Module has no exported member
  },
  {
    name: 'an entry point that does not exist',
    code: "import { HealthModule } from 'nest-ams-p2p-signaling/nope';\nexport const part = HealthModule;\n",
    codes: [2307], // Cannot find module
  },
  {
    name: 'a misspelt option',
    code: "import { SignalingModule } from 'nest-ams-p2p-signaling';\nexport const m = SignalingModule.forRoot({ pathh: '/ws' });\n",
    codes: [2353, 2561], // Object literal may only specify known properties
  },
];

const CJS_CANARIES: Canary[] = [
  {
    name: 'a top-level await in a CommonJS module',
    code: "import { NestFactory } from '@nestjs/core';\nimport { SignalingModule } from 'nest-ams-p2p-signaling';\nexport const app = await NestFactory.create(SignalingModule);\n",
    codes: [1309, 1378], // The current file is a CommonJS module and cannot use 'await' at the top level
  },
];

const HOST_PACKAGE = { name: 'host-app', version: '0.0.1', private: true, license: 'UNLICENSED' };

const PROJECT_KINDS: ProjectKind[] = [
  {
    label: 'A `nest new` project on Nest 11 (CommonJS)',
    variants: [
      { name: 'nest new (Nest 11)', packageJson: HOST_PACKAGE, compilerOptions: nest11Tsconfig(false), canaries: CJS_CANARIES },
      { name: 'nest new --strict (Nest 11)', packageJson: HOST_PACKAGE, compilerOptions: nest11Tsconfig(true), canaries: CJS_CANARIES },
      {
        // Projects made by earlier `nest new`s: "module": "commonjs", i.e. moduleResolution node10,
        // which ignores `exports` and finds the subpaths through `typesVersions`.
        name: 'nest new (Nest 11) with "module": "commonjs"',
        packageJson: HOST_PACKAGE,
        compilerOptions: { ...nest11Tsconfig(false), module: 'commonjs', moduleResolution: 'node10', resolvePackageJsonExports: undefined },
        canaries: [],
      },
    ],
  },
  {
    label: 'A `nest new` project on Nest 12 (ESM, "type": "module")',
    variants: [
      { name: 'nest new (Nest 12, ESM)', packageJson: { ...HOST_PACKAGE, type: 'module' }, compilerOptions: nest12EsmTsconfig(true), canaries: [] },
      {
        name: 'nest new --strict false (Nest 12, ESM)',
        packageJson: { ...HOST_PACKAGE, type: 'module' },
        compilerOptions: nest12EsmTsconfig(false),
        canaries: [],
      },
    ],
  },
];

/**
 * Differences from the generated tsconfig, all of them for the check's sake: no output, and only
 * `@types/node` among the type packages (the generated project also has jest's or vitest's globals,
 * which a snippet must not rely on).
 */
const CHECK_OVERRIDES = { noEmit: true, incremental: false, types: ['node'] };

const PARTIAL_MARKER = /^\/\/\s*partial\b/i;

// ---------------------------------------------------------------------------------------------
// README parsing
// ---------------------------------------------------------------------------------------------

interface Snippet {
  /** 1-based README line of the snippet's first line of code. */
  line: number;
  code: string;
  kind?: ProjectKind;
  partial: boolean;
}

const TS_LANGUAGES = new Set(['ts', 'typescript', 'tsx', 'mts', 'cts']);

function fencedBlocks(markdown: string): Array<{ language: string; line: number; code: string }> {
  const lines = markdown.split('\n');
  const blocks: Array<{ language: string; line: number; code: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) body.push(lines[j++]);
    blocks.push({ language: open[2].toLowerCase(), line: i + 2, code: body.join('\n') + '\n' });
    i = j;
  }
  return blocks;
}

function readmeSnippets(markdown: string): Snippet[] {
  return fencedBlocks(markdown)
    .filter((block) => TS_LANGUAGES.has(block.language))
    .map((block) => {
      const first = block.code.split('\n')[0].trim();
      return {
        line: block.line,
        code: block.code,
        partial: PARTIAL_MARKER.test(first),
        kind: PROJECT_KINDS.find((kind) => first.startsWith(`// ${kind.label}`)),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// The package as npm would install it, built from the current sources
// ---------------------------------------------------------------------------------------------

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern names a file, or a folder and all it holds.
  return new RegExp(`^${source}(?:/.*)?$`);
}

/** Whether `npm pack` ships this path, by package.json `files` (negations apply after inclusions). */
function packed(path: string): boolean {
  const included = PACKAGE.files.filter((f) => !f.startsWith('!')).some((f) => globToRegExp(f).test(path));
  return included && !PACKAGE.files.filter((f) => f.startsWith('!')).some((f) => globToRegExp(f.slice(1)).test(path));
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

/**
 * Compiles the sources with tsconfig.build.json (as `nest build` does) into `packageDir`, keeping
 * what `files` packs, and copies package.json. Returns the emitted JavaScript by packed path.
 */
function buildPackage(packageDir: string): Map<string, string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(formatDiagnostics([d]));
    },
  });
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const options: ts.CompilerOptions = {
    ...parsed.options,
    outDir: join(packageDir, 'dist'),
    noEmit: false,
    declaration: true,
    declarationMap: false,
    sourceMap: false,
    incremental: false,
    tsBuildInfoFile: undefined,
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options });
  const javascript = new Map<string, string>();
  const result = program.emit(undefined, (fileName, text) => {
    const path = relative(packageDir, fileName).split(sep).join('/');
    if (!packed(path)) return;
    mkdirSync(dirname(fileName), { recursive: true });
    writeFileSync(fileName, text);
    if (path.endsWith('.js')) javascript.set(path, text);
  });
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new Error(`building the package failed:\n${formatDiagnostics(errors)}`);
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify(PACKAGE, null, 2));
  return javascript;
}

/** A node_modules of symlinks to this repo's packages, plus the package itself as built above. */
function installInto(workDir: string): { packageDir: string; javascript: Map<string, string> } {
  const nodeModules = join(workDir, 'node_modules');
  mkdirSync(nodeModules);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.') || entry === PACKAGE.name) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(nodeModules, entry), 'junction');
  }
  const packageDir = join(nodeModules, PACKAGE.name);
  mkdirSync(packageDir);
  return { packageDir, javascript: buildPackage(packageDir) };
}

// ---------------------------------------------------------------------------------------------
// Type-checking one project
// ---------------------------------------------------------------------------------------------

interface ProjectResult {
  /** Errors in README snippets, with README line numbers. */
  snippetErrors: string[];
  /** Codes reported per canary. */
  canaryCodes: Map<string, number[]>;
}

function checkProject(workDir: string, variant: Variant, snippets: Snippet[]): ProjectResult {
  const dir = join(workDir, variant.name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(variant.packageJson, null, 2));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: variant.compilerOptions }, null, 2));
  const snippetFiles = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const file = join(dir, 'src', `readme-line-${snippet.line}.ts`);
    writeFileSync(file, snippet.code);
    snippetFiles.set(file, snippet);
  }
  const canaryFiles = new Map<string, Canary>();
  for (const [i, canary] of [...COMMON_CANARIES, ...variant.canaries].entries()) {
    const file = join(dir, 'src', `canary-${i}.ts`);
    writeFileSync(file, canary.code);
    canaryFiles.set(file, canary);
  }

  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), CHECK_OVERRIDES, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(formatDiagnostics([d]));
    },
  });
  if (!parsed) throw new Error(`${variant.name}: tsconfig.json could not be read`);
  if (parsed.errors.length > 0) throw new Error(`${variant.name}: tsconfig.json: ${formatDiagnostics(parsed.errors)}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);

  const snippetErrors: string[] = [];
  const canaryCodes = new Map<string, number[]>([...canaryFiles.values()].map((c) => [c.name, []]));
  for (const diagnostic of diagnostics) {
    const fileName = diagnostic.file?.fileName;
    const canary = fileName ? canaryFiles.get(resolve(fileName)) : undefined;
    if (canary) {
      canaryCodes.get(canary.name)?.push(diagnostic.code);
      continue;
    }
    const snippet = fileName ? snippetFiles.get(resolve(fileName)) : undefined;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (snippet && diagnostic.file && diagnostic.start !== undefined) {
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      snippetErrors.push(`README.md:${snippet.line + line}:${character + 1} TS${diagnostic.code}: ${message}`);
    } else {
      // Anything else (the tsconfig, a file the snippets pulled in) fails the project as well.
      snippetErrors.push(`${fileName ? relative(dir, fileName) : '(project)'} TS${diagnostic.code}: ${message}`);
    }
  }
  return { snippetErrors, canaryCodes };
}

// ---------------------------------------------------------------------------------------------
// Packages an entry point requires at run time
// ---------------------------------------------------------------------------------------------

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Bare packages `require`d by an entry's compiled code and everything it requires in the package. */
function requiredPackages(javascript: Map<string, string>, entry: string): { packages: Set<string>; missing: string[] } {
  const packages = new Set<string>();
  const missing: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const code = javascript.get(path);
    if (code === undefined) {
      missing.push(path);
      return;
    }
    for (const [, specifier] of code.matchAll(/\brequire\("([^"]+)"\)/g)) {
      if (specifier.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(path), specifier));
        visit(javascript.has(`${target}.js`) ? `${target}.js` : javascript.has(`${target}/index.js`) ? `${target}/index.js` : `${target}.js`);
      } else if (!BUILTINS.has(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  };
  visit(entry);
  return { packages, missing };
}

function exportTarget(key: string, condition: 'types' | 'default'): string {
  const target = PACKAGE.exports[key];
  return (typeof target === 'string' ? target : target[condition]).replace(/^\.\//, '');
}

/** Rows of the README table whose first cell is a backticked entry point of this package. */
function entryTable(markdown: string): Map<string, { exported: string[]; peers: string[] }> {
  const rows = new Map<string, { exported: string[]; peers: string[] }>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const entry = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!entry || cells.length < 5 || (entry !== PACKAGE.name && !entry.startsWith(`${PACKAGE.name}/`))) continue;
    const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    rows.set(entry, {
      exported: backticked(cells[2]).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name)),
      peers: backticked(cells[3]).filter((name) => /^(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*$/.test(name)),
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

describe('README.md as a host app reads it', () => {
  const snippets = readmeSnippets(README);
  let workDir: string;
  let javascript: Map<string, string>;
  let packageDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'readme-snippets-'));
    ({ packageDir, javascript } = installInto(workDir));
  }, 120_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('has TypeScript snippets, each stating its project kind in its first line', () => {
    expect(snippets.length).toBeGreaterThan(0);
    const unstated = snippets.filter((s) => !s.kind && !s.partial).map((s) => `README.md:${s.line}: ${s.code.split('\n')[0]}`);
    expect(unstated).toEqual([]); // first line: `// <project kind>: <file>` with a kind of PROJECT_KINDS, or `// partial`
    // every project kind the README promises is shown at least once
    for (const kind of PROJECT_KINDS) expect(snippets.filter((s) => s.kind === kind).length).toBeGreaterThan(0);
  });

  it('keeps partial (unchecked) snippets to a minimum', () => {
    expect(snippets.filter((s) => s.partial).map((s) => s.line)).toEqual([]);
  });

  for (const kind of PROJECT_KINDS) {
    for (const variant of kind.variants) {
      it(`compiles its snippets for "${kind.label}" as ${variant.name}`, () => {
        const ofKind = snippets.filter((s) => s.kind === kind);
        const { snippetErrors, canaryCodes } = checkProject(workDir, variant, ofKind);
        expect(snippetErrors).toEqual([]);
        // The same check catches what it should: each canary reports one of its expected codes.
        for (const canary of [...COMMON_CANARIES, ...variant.canaries]) {
          const codes = canaryCodes.get(canary.name) ?? [];
          expect({ canary: canary.name, caught: codes.some((c) => canary.codes.includes(c)) }).toEqual({
            canary: canary.name,
            caught: true,
          });
        }
      }, 120_000);
    }
  }

  describe('the entry-point table', () => {
    const table = entryTable(README);
    const entries = Object.keys(PACKAGE.exports)
      .filter((key) => key !== './package.json')
      .map((key) => ({ key, name: key === '.' ? PACKAGE.name : `${PACKAGE.name}/${key.slice(2)}` }));

    it('has a row for every entry point of package.json exports, and no other', () => {
      expect([...table.keys()].sort()).toEqual(entries.map((e) => e.name).sort());
    });

    it.each(entries)('names only what $name exports', ({ key, name }) => {
      const declarations = readFileSync(join(packageDir, exportTarget(key, 'types')), 'utf8');
      const notExported = (table.get(name)?.exported ?? []).filter((id) => !new RegExp(`\\b${id.replace('$', '\\$')}\\b`).test(declarations));
      expect(notExported).toEqual([]);
    });

    it.each(entries)('lists every package that $name requires (and each is a peer dependency)', ({ key, name }) => {
      const { packages, missing } = requiredPackages(javascript, exportTarget(key, 'default'));
      expect(missing).toEqual([]); // required files that `files` leaves out of the package
      const listed = new Set(table.get(name)?.peers ?? []);
      const core = new Set(table.get(PACKAGE.name)?.peers ?? []);
      // the library's own dependencies (jose) are installed with it: nothing for the host to add
      const own = new Set(Object.keys(PACKAGE.dependencies ?? {}));
      expect([...packages].filter((p) => !listed.has(p) && !core.has(p) && !own.has(p)).sort()).toEqual([]);
      expect([...packages, ...listed].filter((p) => !own.has(p) && !(p in PACKAGE.peerDependencies)).sort()).toEqual([]);
    });
  });
});

// The templates above are copies: when the installed @nestjs/schematics is the one they were copied
// from, they must still match it.
describe('the copied nest new templates', () => {
  const template = join(ROOT, 'node_modules/@nestjs/schematics/dist/lib/application/files/ts/tsconfig.json');
  const version = existsSync(template)
    ? (JSON.parse(readFileSync(join(ROOT, 'node_modules/@nestjs/schematics/package.json'), 'utf8')) as { version: string }).version
    : undefined;
  (version?.startsWith('11.') ? it : it.skip)(`match @nestjs/schematics ${version ?? '(not installed)'} (Nest 11, ts)`, () => {
    for (const strict of [false, true]) {
      const generated = JSON.parse(readFileSync(template, 'utf8').replace(/<%= strict %>/g, String(strict))) as {
        compilerOptions: Record<string, unknown>;
      };
      expect(nest11Tsconfig(strict)).toEqual(generated.compilerOptions);
    }
  });
});
