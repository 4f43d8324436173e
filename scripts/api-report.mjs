// The public surface, entry point by entry point, as the declarations users compile against (comments
// left out). `--check` fails when dist/ differs from the committed report, so that a change of the
// public API is always deliberate: rerun `npm run api:report` and commit the new report with it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
const reportFile = join(root, 'api', 'nest-oidc-auth.api.md');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.entries(manifest.exports)
  .filter(([, target]) => typeof target === 'object')
  .map(([subpath, target]) => ({
    name: join(manifest.name, subpath),
    file: join(root, target.import.types),
  }));

const program = ts.createProgram(
  entries.map((entry) => entry.file),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  },
);
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true });

/** The whole statement that declares `node`: a variable's declaration is only its name and type. */
function statementOf(node) {
  return ts.isVariableDeclaration(node) ? node.parent.parent : node;
}

function describeEntry({ name, file }) {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} does not exist: run npm run build first`);
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(source));
  const lines = exported
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declared = (target.declarations ?? []).map((node) =>
        printer.printNode(ts.EmitHint.Unspecified, statementOf(node), node.getSourceFile()),
      );
      const alias = target.name === symbol.name ? '' : ` (declared as ${target.name})`;
      return [`### ${symbol.name}${alias}`, '', '```ts', ...declared, '```', ''];
    });
  return [`## ${name}`, '', ...lines].join('\n');
}

const report = `# Public API of ${manifest.name}\n\n${entries.map(describeEntry).join('\n')}`;
if (!process.argv.includes('--check')) {
  writeFileSync(reportFile, report);
} else if (readFileSync(reportFile, 'utf8') !== report) {
  process.stderr.write(
    `The public API differs from ${reportFile}: if that is intended, run npm run api:report and commit it.\n`,
  );
  process.exit(1);
}
