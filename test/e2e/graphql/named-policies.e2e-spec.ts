import { type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GqlExecutionContext, GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { OidcAuthModule, Policy } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

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
  let issuer: LocalIssuer;
  let app: INestApplication;
  let url: string;
  let logger: RecordingLogger;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    logger = new RecordingLogger();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
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
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          typeDefs: 'type Query { tenantName(tenant: String!): String broken: String }',
          playground: false,
          includeStacktraceInErrorResponses: false,
        }),
      ],
      providers: [TenantResolver],
    }).compile();
    app = ref.createNestApplication({ logger });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/graphql`;
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  async function query(source: string, claims: Record<string, unknown>): Promise<GraphQLResponse> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await issuer.mint(claims)}`,
      },
      body: JSON.stringify({ query: source }),
    });
    expect(res.status).not.toBe(500);
    return (await res.json()) as GraphQLResponse;
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
