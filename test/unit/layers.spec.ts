import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The rooms of lib/ and what each may import are written once, in docs/architecture.md; this suite
// reads them from there, so the note and the code cannot disagree.
const LIB = resolve('lib');
const NOTE = resolve('docs/architecture.md');
const PUBLIC_API = 'index.ts';
const LAYERED = new Set(['protocol', 'core', 'nest']);
const EVERY_ROOM = 'every room';

interface Room {
  name: string;
  /** Position in the note's table: a room may import only rooms above it. */
  rank: number;
  mayImport: ReadonlySet<string>;
}

/** The rows of the Markdown table whose header row starts with `| <firstHeader> `. */
function tableRows(markdown: string, firstHeader: string): string[][] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => line.startsWith(`| ${firstHeader} `));
  if (header < 0) throw new Error(`${NOTE} has no table headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const codes = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

function readRooms(markdown: string): Map<string, Room> {
  const rooms = new Map<string, Room>();
  tableRows(markdown, 'room').forEach(([name, , mayImport], rank) => {
    const imports = mayImport === EVERY_ROOM ? [EVERY_ROOM] : codes(mayImport);
    rooms.set(codes(name)[0], { name: codes(name)[0], rank, mayImport: new Set(imports) });
  });
  return rooms;
}

function readPackages(markdown: string): Map<string, string[]> {
  return new Map(
    tableRows(markdown, 'where').map(([where, packages]) => [codes(where)[0], codes(packages)]),
  );
}

/** `protocol/bearer`, `nest/policy` (decorators included), `providers`, ... or the public API. */
function roomOf(file: string): string {
  const path = relative(LIB, file);
  if (path === PUBLIC_API) return PUBLIC_API;
  const parts = path.split('/');
  return LAYERED.has(parts[0]) ? parts.slice(0, 2).join('/') : parts[0];
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesOf(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const statements = source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/gm);
  const sideEffects = source.matchAll(/^\s*import\s+'([^']+)'/gm);
  const dynamic = source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g);
  return [...statements, ...sideEffects, ...dynamic].map((m) => m[1]);
}

/** The `.ts` file a relative import names. */
const targetOf = (file: string, spec: string): string =>
  resolve(dirname(file), spec).replace(/\.js$/, '.ts');

function packageAllowed(spec: string, allowed: readonly string[]): boolean {
  if (spec.startsWith('node:')) return true;
  return allowed.some((pattern) =>
    pattern.endsWith('/*') ? spec.startsWith(pattern.slice(0, -1)) : spec === pattern,
  );
}

/** Every import circle between files, each as the files along it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const note = readFileSync(NOTE, 'utf8');
const rooms = readRooms(note);
const packages = readPackages(note);
const files = filesOf(LIB);

describe('lib/ rooms (docs/architecture.md)', () => {
  it('has a row for every folder of lib/, and a folder for every row', () => {
    const present = new Set(files.map(roomOf));
    expect([...present].filter((room) => !rooms.has(room)).sort()).toEqual([]);
    expect([...rooms.keys()].filter((room) => !present.has(room)).sort()).toEqual([]);
  });

  it('lets a room import only rooms listed above it', () => {
    const upward = [...rooms.values()].flatMap((room) =>
      [...room.mayImport]
        .filter(
          (other) => other !== EVERY_ROOM && !((rooms.get(other)?.rank ?? Infinity) < room.rank),
        )
        .map((other) => `${room.name} may import ${other}, which is not listed above it`),
    );
    expect(upward).toEqual([]);
  });

  it('imports across rooms only where the table allows it', () => {
    const violations: string[] = [];
    for (const file of files) {
      const room = rooms.get(roomOf(file))!;
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const target = roomOf(targetOf(file, spec));
        const allowed =
          target === room.name || room.mayImport.has(target) || room.mayImport.has(EVERY_ROOM);
        if (!allowed) violations.push(`${relative(LIB, file)} imports ${spec} (${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('imports only the packages its layer or room may use', () => {
    const violations: string[] = [];
    for (const file of files) {
      const room = roomOf(file);
      if (room === PUBLIC_API) continue;
      const allowed = [...(packages.get(room.split('/')[0]) ?? []), ...(packages.get(room) ?? [])];
      for (const spec of importsOf(file).filter((s) => !s.startsWith('.'))) {
        if (!packageAllowed(spec, allowed))
          violations.push(`${relative(LIB, file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  // Independent of the note: loosening its package table cannot loosen this.
  it('keeps protocol/, core/ and providers/ free of Nest, passport and rxjs', () => {
    const framework = /^(@nestjs\/|passport|rxjs|express|fastify)/;
    const violations = files
      .filter((file) => /^(protocol|core|providers)\//.test(relative(LIB, file)))
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => framework.test(spec) || /(^|\/)nest\//.test(spec))
          .map((spec) => `${relative(LIB, file)} imports ${spec}`),
      );
    expect(violations).toEqual([]);
  });

  it('has no import circle between files', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => targetOf(file, spec)),
      ]),
    );
    expect(circles(graph).map((circle) => circle.map((f) => relative(LIB, f)).join(' → '))).toEqual(
      [],
    );
  });

  it('finds the imports, rooms and circles it polices (a parser that saw nothing would pass)', () => {
    const verifier = join(LIB, 'core', 'jwt', 'token-verifier.ts');
    expect(importsOf(verifier)).toContain('../../protocol/errors/errors.js');
    expect(roomOf(join(LIB, 'nest', 'policy', 'decorators', 'public.decorator.ts'))).toBe(
      'nest/policy',
    );
    expect(rooms.get('core/jwt')?.mayImport.has('core/keys')).toBe(true);
    expect(packages.get('core')).toEqual(['jwks-rsa', 'lru-cache']);
    const a = '/a.ts';
    const b = '/b.ts';
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([[a, b]]);
  });
});
