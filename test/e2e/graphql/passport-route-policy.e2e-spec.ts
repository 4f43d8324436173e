import { type ExecutionContext, type INestApplication, UseGuards } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GqlExecutionContext, GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import { Issuers, OIDC_AUTH_STRATEGY, OidcAuthModule, Scopes } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';

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
  let issuer: LocalIssuer;
  let partner: LocalIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    partner = await LocalIssuer.start();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [
            { issuer: issuer.issuer, audience: issuer.audience },
            { issuer: partner.issuer, audience: partner.audience },
          ],
          globalGuard: false,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          typeDefs: 'type Query { notes: String partnerNotes: String }',
          playground: false,
          includeStacktraceInErrorResponses: false,
        }),
      ],
      providers: [notesResolver(partner.issuer)],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/graphql`;
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
    await partner.stop();
  });

  async function query(field: string, token: string) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ ${field} }` }),
    });
    return (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ extensions?: Record<string, unknown> }>;
    };
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
