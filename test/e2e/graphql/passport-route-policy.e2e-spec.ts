import { type ExecutionContext, UseGuards } from '@nestjs/common';
import { GqlExecutionContext, Query, Resolver } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { Issuers, OIDC_AUTH_STRATEGY, Scopes } from '../../../lib/index.js';
import { apolloApp, postGraphQL } from '../../support/graphql-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

// The guard passport users write for GraphQL: the strategy reads the HTTP request of the context.
class GqlOidcGuard extends AuthGuard(OIDC_AUTH_STRATEGY) {
  override getRequest(context: ExecutionContext) {
    return GqlExecutionContext.create(context).getContext<{ req: unknown }>().req;
  }
}

// A class per application: the module binds its guard into the handlers' metadata.
function notesResolver(partner: string) {
  @UseGuards(GqlOidcGuard)
  @Resolver()
  class NotesResolver {
    @Scopes('notes:read')
    @Query('notes')
    notes() {
      return 'notes';
    }

    @Issuers(partner)
    @Query('partnerNotes')
    partnerNotes() {
      return 'partner notes';
    }
  }
  return NotesResolver;
}

describe("route policy behind AuthGuard('oidc-auth') on GraphQL resolvers (Apollo)", () => {
  const issuer = suiteIssuer();
  const partner = suiteIssuer();
  const api = suiteFixture(
    () =>
      apolloApp(
        {
          issuers: trusted(issuer, partner),
          globalGuard: false,
        },
        {
          typeDefs: 'type Query { notes: String partnerNotes: String }',
          resolvers: [notesResolver(partner.issuer)],
        },
      ),
    ({ app }) => app.close(),
  );

  async function query(field: string, token: string) {
    return (await postGraphQL(api.url, `{ ${field} }`, { authorization: `Bearer ${token}` })).body;
  }

  it('enforces @Scopes', async () => {
    const refused = await query('notes', await issuer.mintToken({ scopes: ['other'] }));
    expect(refused.data?.notes ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      error: 'insufficient_scope',
    });
    const granted = await query('notes', await issuer.mintToken({ scopes: ['notes:read'] }));
    expect(granted.data).toEqual({ notes: 'notes' });
  });

  it('enforces @Issuers', async () => {
    const refused = await query('partnerNotes', await issuer.mintToken({}));
    expect(refused.data?.partnerNotes ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ error: 'invalid_token' });
    expect((await query('partnerNotes', await partner.mintToken({}))).data).toEqual({
      partnerNotes: 'partner notes',
    });
  });
});
