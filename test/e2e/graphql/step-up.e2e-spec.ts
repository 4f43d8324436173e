import { type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import { OidcAuthModule, RequireAuthentication, Scopes } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';

@Resolver()
class ExportResolver {
  @Scopes('notes:read')
  @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
  @Query('exportNotes')
  exportNotes() {
    return 'all notes';
  }
}

interface GraphQLResponse {
  data?: { exportNotes?: string | null } | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

describe('step-up authentication over GraphQL (Apollo)', () => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  let url: string;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
          audit: { log: false },
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          typeDefs: 'type Query { exportNotes: String }',
          playground: false,
          includeStacktraceInErrorResponses: false,
        }),
      ],
      providers: [ExportResolver],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/graphql`;
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  async function exportNotes(claims: Record<string, unknown>): Promise<GraphQLResponse> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await issuer.mint({ scope: 'notes:read', ...claims })}`,
      },
      body: JSON.stringify({ query: '{ exportNotes }' }),
    });
    return (await res.json()) as GraphQLResponse;
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
