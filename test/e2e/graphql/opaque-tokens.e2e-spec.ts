import { type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { OidcAuthModule, type OidcPrincipal, Principal, Scopes } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

@Resolver()
class NotesResolver {
  @Scopes('notes:read')
  @Query('me')
  me(@Principal() principal: OidcPrincipal) {
    return principal.subject;
  }
}

describe('opaque tokens on GraphQL resolvers', () => {
  let issuer: LocalIssuer;
  let endpoint: LocalIntrospectionEndpoint;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    endpoint = await LocalIntrospectionEndpoint.start();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [
            issuer.issuerOptions({
              introspection: { clientId: 'api', clientSecret: 's', endpoint: endpoint.url },
            }),
          ],
          warmUp: false,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          typeDefs: 'type Query { me: String }',
          playground: false,
          includeStacktraceInErrorResponses: false,
        }),
      ],
      providers: [NotesResolver],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/graphql`;
  });

  afterAll(async () => {
    await app.close();
    await endpoint.stop();
    await issuer.stop();
  });

  async function me(token: string): Promise<GraphQLResponse> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me }' }),
    });
    expect(res.status).not.toBe(500);
    return (await res.json()) as GraphQLResponse;
  }

  const token = (scope: string) =>
    endpoint.issue({
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: 'ada',
      scope,
      exp: Math.floor(Date.now() / 1000) + 300,
    });

  it('resolves for an active token with the scope, and refuses one without it', async () => {
    expect(await me(token('notes:read'))).toEqual({ data: { me: 'ada' } });
    const refused = await me(token('other'));
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('answers UNAUTHENTICATED for an inactive token and SERVICE_UNAVAILABLE in an outage', async () => {
    expect((await me('opq_unknown.token')).errors?.[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    endpoint.fault = 'http502';
    try {
      expect((await me(token('notes:read'))).errors?.[0].extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        status: 503,
      });
    } finally {
      endpoint.fault = 'none';
    }
  });
});
