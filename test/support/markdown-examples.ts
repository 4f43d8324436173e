import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { documentationPages } from './documentation-pages.js';

/** One ```ts block of a markdown page, with the page and the line it starts on. */
export interface Example {
  page: string;
  line: number;
  code: string;
}

export function markdownExamples(page: string, markdown: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1].trim() !== '```') i += 1;
    examples.push({ page, line: start + 1, code: lines.slice(start, i + 1).join('\n') });
    i += 1;
  }
  return examples;
}

// Names the examples use without importing them, as a reader's file would have imported them.
const IMPLICIT_IMPORTS: Record<string, string[]> = {
  '@nestjs/common': ['Controller', 'Get', 'Post', 'Delete', 'Module', 'Injectable', 'UseGuards'],
  '@nestjs/core': ['NestFactory'],
  '@nestjs/platform-fastify': ['FastifyAdapter', 'type NestFastifyApplication'],
  '@nestjs/websockets': ['WebSocketGateway', 'SubscribeMessage'],
  '@nestjs/graphql': ['GraphQLModule', 'Resolver', 'Query'],
  '@nestjs/apollo': ['ApolloDriver', 'type ApolloDriverConfig'],
  '@nestjs/microservices': ['MessagePattern'],
};

// What an example refers to from the reader's own application.
const APPLICATION = `
import type { INestApplication } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
export declare const token: string;
export declare const incomingToken: string;
export declare const tenantId: string;
export declare const apiClientId: string;
export declare const typeDefs: string;
export declare const app: INestApplication;
export declare const client: ClientProxy;
export declare class AppModule {}
export declare class NotesService { visibleTo(reader: string): unknown[]; }
`;

function importedNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      if (name) names.add(name);
    }
  }
  for (const m of code.matchAll(/import\s+(\w+)\s+from/g)) names.add(m[1]);
  return names;
}

function publicNames(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)].flatMap((m) =>
    m[2]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => (m[1] ? `type ${n}` : n)),
  );
}

/** The example as a module of its own: the imports it leaves implicit, then its code. */
function asModule(example: Example, root: string): string {
  const imported = importedNames(example.code);
  // A comment starts a line or follows a space; the `//` of a URL in a string follows a colon.
  const code = example.code.replace(/(^|\s)\/\/.*$/gm, '$1');
  const uses = (name: string) =>
    !imported.has(name) &&
    !new RegExp(`(?:class|const|let|function|interface|type)\\s+${name}\\b`).test(code) &&
    new RegExp(`\\b${name}\\b`).test(code);
  const sources: Record<string, string[]> = {
    ...IMPLICIT_IMPORTS,
    'nest-oidc-auth': publicNames(join(root, 'lib', 'index.ts')),
    './application.js': [...APPLICATION.matchAll(/declare (?:const|class) (\w+)/g)].map(
      (m) => m[1],
    ),
  };
  const header = Object.entries(sources)
    .map(([from, names]) => {
      const wanted = names.filter((n) => uses(n.replace(/^type /, '')));
      return wanted.length ? `import { ${wanted.join(', ')} } from '${from}';` : '';
    })
    .filter(Boolean)
    .join('\n');
  // `{ ... }` stands for a body the reader writes.
  const body = example.code.replace(/\{ \.\.\. \}/g, '{ throw new Error(); }');
  return `${header}\n${body}\nexport {};\n`;
}

/** Every ```ts example of README.md and of the site's pages. */
export function documentationExamples(root: string): Example[] {
  return documentationPages(root).flatMap((page) =>
    markdownExamples(page, readFileSync(join(root, page), 'utf8')),
  );
}

/**
 * Type-checks every ```ts example of the README and the site against the library's sources, each
 * as a module of its own, and returns the diagnostics with the page and line they concern.
 */
export function checkDocumentationExamples(root: string): string[] {
  const examples = documentationExamples(root);
  const dir = join(root, '.documentation-examples');
  const files = new Map<string, string>([
    [join(dir, 'application.ts'), APPLICATION],
    // The testing example imports the application module from where a Nest app keeps it.
    [join(root, 'src', 'app.module.ts'), 'export declare class AppModule {}\n'],
  ]);
  const dirs = new Set([dir, join(root, 'src')]);
  const origin = new Map<string, Example>();
  examples.forEach((example, i) => {
    const file = join(dir, `example-${i}.ts`);
    files.set(file, asModule(example, root));
    origin.set(file, example);
  });
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node', 'jest'],
    baseUrl: root,
    paths: {
      'nest-oidc-auth': ['lib/index.ts'],
      'nest-oidc-auth/socket.io': ['lib/socket-io/index.ts'],
      'nest-oidc-auth/*': ['lib/*/index.ts'],
    },
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files.get(resolve(name)) ?? readFile(name);
  host.fileExists = (name) => files.has(resolve(name)) || fileExists(name);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => dirs.has(resolve(name)) || (directoryExists?.(name) ?? true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => {
    const text = files.get(resolve(name));
    return text === undefined
      ? getSourceFile(name, language)
      : ts.createSourceFile(name, text, language, true);
  };
  const program = ts.createProgram([...origin.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && origin.has(resolve(d.file.fileName)))
    .map((d) => {
      const example = origin.get(resolve(d.file!.fileName))!;
      const header =
        files.get(resolve(d.file!.fileName))!.split('\n').length -
        example.code.split('\n').length -
        2;
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      return `${example.page}:${example.line + line - header}: ${message}`;
    });
}

export const REPOSITORY_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
