import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { entryPoints } from '../../../scripts/docs-options.mjs';

const root = join(import.meta.dirname, '..', '..', '..');

/**
 * The decorators of the public surface: exported functions named in PascalCase (not classes) that
 * return a function, which is what a decorator (factory) does, across every entry point.
 */
function exportedDecorators(): Map<string, string> {
  const entries = entryPoints(root);
  const program = ts.createProgram(
    entries.map((e) => e.file),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
  );
  const checker = program.getTypeChecker();
  const found = new Map<string, string>();
  for (const entry of entries) {
    const source = program.getSourceFile(entry.file)!;
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (!/^[A-Z]/.test(symbol.name) || !(target.flags & ts.SymbolFlags.Value)) continue;
      if (target.flags & ts.SymbolFlags.Class) continue;
      const declaration = target.valueDeclaration;
      if (!declaration) continue;
      const type = checker.getTypeOfSymbolAtLocation(target, declaration);
      if (type.getConstructSignatures().length > 0) continue;
      const returnsFunction = type
        .getCallSignatures()
        .some((signature) => signature.getReturnType().getCallSignatures().length > 0);
      if (returnsFunction && !found.has(symbol.name)) found.set(symbol.name, entry.name);
    }
  }
  return found;
}

// docs/reference/decorators.md has a section for every decorator the package exports, so a new
// one without documentation fails here.
describe('docs/reference/decorators.md', () => {
  const page = readFileSync(join(root, 'docs/reference/decorators.md'), 'utf8');
  const headings = new Set(
    [...page.matchAll(/^#{2,3} +(\S.*?)\s*$/gm)].map((m) => m[1].replace(/[`@()]/g, '')),
  );
  let decorators: Map<string, string>;

  beforeAll(() => {
    decorators = exportedDecorators();
  }, 60_000);

  it('finds the exported decorators (a detector that found none would pass)', () => {
    expect([...decorators.keys()]).toEqual(
      expect.arrayContaining(['Public', 'Scopes', 'AnyRole', 'Principal', 'McpEndpoint']),
    );
    expect(decorators.get('McpEndpoint')).toBe('nest-oidc-auth/mcp');
    // Exported PascalCase functions that are not decorators stay out.
    expect(decorators.has('OidcAuthModule')).toBe(false);
    expect(decorators.has('TokenClient')).toBe(false);
  });

  it('has a heading for each of them', () => {
    const missing = [...decorators.keys()].filter((name) => !headings.has(name));
    expect(missing).toEqual([]);
  });
});
