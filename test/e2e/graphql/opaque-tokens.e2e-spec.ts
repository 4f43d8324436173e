import { Query, Resolver } from '@nestjs/graphql';
import { type OidcPrincipal, Principal, Scopes } from '../../../lib/index.js';
import { apolloApp, type GraphQLResponse, postGraphQL } from '../../support/graphql-app.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';

@Resolver()
class NotesResolver {
  @Scopes('notes:read')
  @Query('me')
  me(@Principal() principal: OidcPrincipal) {
    return principal.subject;
  }
}

describe('opaque tokens on GraphQL resolvers', () => {
  const issuer = suiteIssuer();
  const endpoint = suiteFixture(
    () => LocalIntrospectionEndpoint.start(),
    (e) => e.stop(),
  );
  const api = suiteFixture(
    () =>
      apolloApp(
        {
          issuers: [
            issuer.issuerOptions({
              introspection: { clientId: 'api', clientSecret: 's', endpoint: endpoint.url },
            }),
          ],
          warmUp: false,
        },
        { typeDefs: 'type Query { me: String }', resolvers: [NotesResolver] },
      ),
    ({ app }) => app.close(),
  );

  async function me(token: string): Promise<GraphQLResponse> {
    const { res, body } = await postGraphQL(api.url, '{ me }', {
      authorization: `Bearer ${token}`,
    });
    expect(res.status).not.toBe(500);
    return body;
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
