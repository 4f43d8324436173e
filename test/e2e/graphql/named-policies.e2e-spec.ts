import { Args, GqlExecutionContext, Query, Resolver } from '@nestjs/graphql';
import { Policy } from '../../../lib/index.js';
import { apolloApp, type GraphQLResponse, postGraphQL } from '../../support/graphql-app.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

@Resolver()
class TenantResolver {
  @Policy('sameTenant')
  @Query('tenantName')
  tenantName(@Args('tenant') tenant: string) {
    return tenant.toUpperCase();
  }

  @Policy('broken')
  @Query('broken')
  broken() {
    return 'reached';
  }
}

describe('named policies on GraphQL resolvers (Apollo)', () => {
  const issuer = suiteIssuer();
  const logger = new RecordingLogger();
  const api = suiteFixture(
    () =>
      apolloApp(
        {
          issuers: trusted(issuer),
          refusalLogIntervalMs: 0,
          policies: {
            // The same policy serves HTTP and GraphQL: only where the tenant is read differs.
            sameTenant: (principal, context) =>
              GqlExecutionContext.create(context).getArgs<{ tenant?: string }>().tenant ===
              principal.claims.tenant,
            broken: () => {
              throw new Error('tenant directory down at 10.0.0.7');
            },
          },
        },
        {
          typeDefs: 'type Query { tenantName(tenant: String!): String broken: String }',
          resolvers: [TenantResolver],
        },
        logger,
      ),
    ({ app }) => app.close(),
  );

  async function query(source: string, claims: Record<string, unknown>): Promise<GraphQLResponse> {
    const authorization = `Bearer ${await issuer.mint(claims)}`;
    const { res, body } = await postGraphQL(api.url, source, { authorization });
    expect(res.status).not.toBe(500);
    return body;
  }

  it('grants a field its policy allows, with the field arguments in the context', async () => {
    expect(await query('{ tenantName(tenant: "acme") }', { tenant: 'acme' })).toEqual({
      data: { tenantName: 'ACME' },
    });
  });

  it('answers FORBIDDEN naming the policy, and logs the policy_denied reason', async () => {
    const before = logger.entries.length;
    const body = await query('{ tenantName(tenant: "globex") }', { sub: 'bob', tenant: 'acme' });
    expect(body.data).toEqual({ tenantName: null });
    expect(body.errors?.map((e) => [e.message, e.extensions])).toEqual([
      [
        'The policy sameTenant denied access to this resource',
        { code: 'FORBIDDEN', error: 'insufficient_scope', status: 403 },
      ],
    ]);
    expect(logger.lines.slice(before)).toContainEqual(
      expect.stringMatching(/^warn Refused graphql Query.tenantName with 403: policy_denied/),
    );
  });

  it("reports a policy's exception as an internal error, not as a refusal or a grant", async () => {
    const body = await query('{ broken }', {});
    expect(body.data).toEqual({ broken: null });
    expect(body.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(body)).not.toContain('reached');
  });
});
