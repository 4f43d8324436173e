import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  defaultOf,
  generateOptionsReference,
  PAGE,
  type OptionSection,
} from '../../../scripts/docs-options.mjs';

const root = join(import.meta.dirname, '..', '..', '..');

// docs/reference/options.md is generated from the option types of lib/ and their JSDoc: it must be
// what they say now, and every option must say something.
describe('docs/reference/options.md', () => {
  let sections: OptionSection[];
  let markdown: string;

  beforeAll(async () => {
    ({ sections, markdown } = await generateOptionsReference(root));
  }, 60_000);

  const section = (name: string) => {
    const found = sections.find((s) => s.name === name);
    if (!found) throw new Error(`no section ${name}`);
    return found;
  };
  const row = (name: string, path: string) => {
    const found = section(name).rows.find((r) => r.path === path);
    if (!found) throw new Error(`no row ${path} in ${name}`);
    return found;
  };

  it('is what lib/ says now (run `npm run docs:options` when this fails)', () => {
    const committed = readFileSync(join(root, PAGE), 'utf8');
    if (committed !== markdown) {
      throw new Error(`${PAGE} is stale: run \`npm run docs:options\` and commit it`);
    }
  });

  it('describes every option (add the JSDoc in lib/ when this fails)', () => {
    const undocumented = sections.flatMap((s) =>
      s.rows.filter((r) => r.description.trim() === '').map((r) => `${s.name}: ${r.path}`),
    );
    expect(undocumented).toEqual([]);
  });

  it('puts the options at the paths they are written at', () => {
    expect(row('OidcAuthModuleOptions', 'issuers')).toMatchObject({ required: true });
    expect(row('IssuerOptions', 'issuers[].audience')).toMatchObject({ required: true });
    expect(row('IssuerOptions', 'issuers[].introspection').type).toBe('IntrospectionOptions');
    expect(row('IntrospectionOptions', 'issuers[].introspection.timeoutMs').default).toBe('3000');
    expect(row('OidcAuthModuleOptions', 'clockToleranceSeconds').default).toBe('60');
    expect(row('OidcAuthModuleOptions', 'cache.maxEntries').default).toBe('10000');
    expect(row('DPoPOptions', 'dpop.mode').default).toBe('`allowed`');
    expect(row('ProtectedResourceOptions', 'protectedResource.resource').required).toBe(true);
    expect(row('RevocationReplicasOptions', 'revocation.replicas.whenStale').default).toBe(
      '`refuse`',
    );
    expect(
      row('SecurityEventPollOptions', 'revocation.transmitters[].poll.waitSeconds').default,
    ).toBe('30');
    expect(section('OidcMcpOptions').entry).toBe('nest-oidc-auth/mcp');
    expect(section('RedisStoreOptions').entry).toBe('nest-oidc-auth/redis');
    expect(markdown).toContain('| `issuers[].audience` ');
    expect(markdown).toContain('### IssuerOptions {#issueroptions}');
  });

  it('has a table row for each property walked, and walks every property of the module options', () => {
    const tableRows = markdown.split('\n').filter((line) => line.startsWith('| `'));
    expect(tableRows).toHaveLength(sections.reduce((n, s) => n + s.rows.length, 0));

    // Counted from the syntax of the declarations, apart from the generator's type walk.
    const declared = (file: string, name: string) => {
      const source = ts.createSourceFile(
        file,
        readFileSync(join(root, file), 'utf8'),
        ts.ScriptTarget.Latest,
      );
      const found = source.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
      );
      if (!found) throw new Error(`${name} is not declared in ${file}`);
      return found.members.map((m) => m.name?.getText(source));
    };
    const topLevel = (s: OptionSection) =>
      s.rows
        .map((r) => r.path.slice(s.path.length).replace(/^[.]/, ''))
        .filter((p) => !p.includes('.'));
    expect(topLevel(section('OidcAuthModuleOptions'))).toEqual(
      declared('lib/nest/options/oidc-auth.options.ts', 'OidcAuthModuleOptions'),
    );
    expect(topLevel(section('IssuerOptions'))).toEqual(
      declared('lib/core/issuers/issuer-options.ts', 'IssuerOptions'),
    );
    expect(topLevel(section('RevocationOptions'))).toEqual(
      declared('lib/nest/options/revocation.options.ts', 'RevocationOptions'),
    );
  });

  it('reads the default from the sentence that states it', () => {
    expect(defaultOf('Leeway, in seconds. Default 60.')).toBe('60');
    expect(defaultOf('Algorithms. Default: every asymmetric one (RS, PS, ES).')).toBe(
      'every asymmetric one (RS, PS, ES)',
    );
    expect(defaultOf('`allowed` (default): proofs accepted.')).toBe('`allowed`');
    expect(defaultOf('Hide them. Default false: clients see every tool.')).toBe('false');
    expect(defaultOf('Accept it. Off by default: logs.')).toBe('off');
    expect(defaultOf('Any value.', { default: '5' })).toBe('5');
    expect(defaultOf('Where it is read from.')).toBeUndefined();
  });
});
