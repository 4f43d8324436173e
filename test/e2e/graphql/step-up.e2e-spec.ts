import { Query, Resolver } from '@nestjs/graphql';
import { RequireAuthentication, Scopes } from '../../../lib/index.js';
import { apolloApp, type GraphQLResponse, postGraphQL } from '../../support/graphql-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

@Resolver()
class ExportResolver {
  @Scopes('notes:read')
  @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
  @Query('exportNotes')
  exportNotes() {
    return 'all notes';
  }
}

describe('step-up authentication over GraphQL (Apollo)', () => {
  const issuer = suiteIssuer();
  const api = suiteFixture(
    () =>
      apolloApp(
        { issuers: trusted(issuer), audit: { log: false } },
        { typeDefs: 'type Query { exportNotes: String }', resolvers: [ExportResolver] },
      ),
    ({ app }) => app.close(),
  );
  const now = () => Math.floor(Date.now() / 1000);

  async function exportNotes(claims: Record<string, unknown>): Promise<GraphQLResponse> {
    const authorization = `Bearer ${await issuer.mint({ scope: 'notes:read', ...claims })}`;
    return (await postGraphQL(api.url, '{ exportNotes }', { authorization })).body;
  }

  it('answers a recent mfa authentication', async () => {
    const body = await exportNotes({ acr: 'mfa', auth_time: now() - 5 });
    expect(body.errors).toBeUndefined();
    expect(body.data?.exportNotes).toBe('all notes');
  });

  it('refuses a stale one as UNAUTHENTICATED, with what the client must step up to', async () => {
    const body = await exportNotes({ acr: 'mfa', auth_time: now() - 3600 });
    expect(body.data?.exportNotes ?? null).toBeNull();
    expect(body.errors?.[0]).toMatchObject({
      message: 'This resource requires an authentication within the last 300 seconds',
      extensions: {
        code: 'UNAUTHENTICATED',
        error: 'insufficient_user_authentication',
        status: 401,
        acr_values: 'mfa',
        max_age: 300,
      },
    });
    expect(JSON.stringify(body)).not.toMatch(/stack|at Object/);
  });

  it('refuses a password-only authentication the same way', async () => {
    const body = await exportNotes({ acr: 'pwd', auth_time: now() });
    expect(body.errors?.[0].extensions).toMatchObject({
      error: 'insufficient_user_authentication',
      acr_values: 'mfa',
    });
  });
});
