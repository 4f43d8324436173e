import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// The seams of lib/: data flows protocol → verification → providers → nest, and the verification
// core stands alone. A file importing upwards fails here, naming the file and the import.
const LIB = resolve('lib');

const ALLOWED: Record<string, { folders: string[]; packages: RegExp }> = {
  protocol: { folders: ['protocol'], packages: /^node:/ },
  verification: {
    folders: ['protocol', 'verification'],
    packages: /^(node:|jwks-rsa$|lru-cache$)/,
  },
  providers: { folders: ['verification', 'providers'], packages: /^node:/ },
};

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
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
}

describe('lib/ layering', () => {
  for (const [layer, rule] of Object.entries(ALLOWED)) {
    it(`${layer}/ imports only ${rule.folders.join(', ')} and ${rule.packages.source}`, () => {
      const violations: string[] = [];
      for (const file of filesOf(join(LIB, layer))) {
        for (const spec of importsOf(file)) {
          const allowed = spec.startsWith('.')
            ? rule.folders.includes(relative(LIB, resolve(file, '..', spec)).split('/')[0])
            : rule.packages.test(spec);
          if (!allowed) violations.push(`${relative(LIB, file)} imports ${spec}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('finds the imports it polices (a parser that saw nothing would pass every rule)', () => {
    expect(importsOf(join(LIB, 'verification', 'token-verifier.ts'))).toContain(
      '../protocol/errors.js',
    );
  });
});
