import { type INestApplication } from '@nestjs/common';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { graphqlApp, type GraphQLResponse, postGraphQL } from '../../support/graphql-app.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

describe('GraphQL queries (Apollo)', () => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  let url: string;
  let logger: RecordingLogger;

  beforeAll(async () => {
    logger = new RecordingLogger();
    app = await graphqlApp(
      {
        issuers: trusted(issuer),
        // Each test looks for its own refusal's line.
        refusalLogIntervalMs: 0,
      },
      logger,
    );
    url = `${await app.getUrl()}/graphql`;
  });

  afterAll(async () => {
    await app.close();
  });

  async function query(
    source: string,
    authorization?: string,
  ): Promise<{ status: number; body: GraphQLResponse }> {
    const { res, body } = await postGraphQL(url, source, authorization ? { authorization } : {});
    return { status: res.status, body };
  }

  const bearer = async (who: Parameters<LocalIssuer['mintToken']>[0] = {}) =>
    `Bearer ${await issuer.mintToken(who)}`;

  const codes = (body: GraphQLResponse) => body.errors?.map((e) => e.extensions?.code);

  it('answers a query whose token has the scope, and names the caller', async () => {
    const { status, body } = await query(
      '{ notes { id text } me }',
      await bearer({ sub: 'alice', scopes: ['notes:read'] }),
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { notes: [{ id: 1, text: 'first' }], me: 'alice' } });
  });

  it('answers UNAUTHENTICATED without a token, never a 500 or a stack trace', async () => {
    const { status, body } = await query('{ notes { id } }');
    expect(status).not.toBe(500);
    expect(body.data).toEqual({ notes: null });
    expect(body.errors).toEqual([
      {
        message: 'This resource requires a bearer token',
        path: ['notes'],
        locations: expect.any(Array),
        extensions: { code: 'UNAUTHENTICATED', status: 401 },
      },
    ]);
  });

  it('answers UNAUTHENTICATED to expired, foreign and malformed tokens', async () => {
    const expired = `Bearer ${await issuer.mintToken({ scopes: ['notes:read'] }, { expiresIn: -3600 })}`;
    const foreign = `Bearer ${await issuer.mint({ aud: 'api://elsewhere', scope: 'notes:read' })}`;
    for (const authorization of [expired, foreign, 'Bearer a b', 'Bearer not.a.jwt']) {
      const { status, body } = await query('{ notes { id } }', authorization);
      expect(status).not.toBe(500);
      expect(codes(body)).toEqual(['UNAUTHENTICATED']);
      expect(body.errors?.[0].extensions?.error).toMatch(/^invalid_(token|request)$/);
    }
  });

  it('answers FORBIDDEN for a missing scope or role, and still answers the other fields', async () => {
    const { status, body } = await query(
      '{ notes { id } purge me }',
      await bearer({ sub: 'bob', scopes: ['notes:write'] }),
    );
    expect(status).not.toBe(500);
    expect(body.data).toEqual({ notes: null, purge: null, me: 'bob' });
    expect(body.errors?.map((e) => [e.path, e.extensions])).toEqual(
      expect.arrayContaining([
        [['notes'], { code: 'FORBIDDEN', error: 'insufficient_scope', status: 403 }],
        [['purge'], { code: 'FORBIDDEN', error: 'insufficient_scope', status: 403 }],
      ]),
    );
  });

  it('logs a refusal once as a warning, never as an application error', async () => {
    const before = logger.entries.length;
    await query('{ notes { id } }');
    expect(logger.lines.slice(before)).toEqual([
      'warn Refused graphql Query.notes with 401: missing_token',
    ]);
  });

  it('lets a @Public() field through without a token', async () => {
    expect((await query('{ ping }')).body).toEqual({ data: { ping: 'pong' } });
  });

  it('applies a resolver class policy and its fields’ own on top', async () => {
    const reader = await bearer({ scopes: ['reports:read'] });
    expect((await query('{ report }', reader)).body).toEqual({ data: { report: 'report' } });
    expect(codes((await query('{ export }', reader)).body)).toEqual(['FORBIDDEN']);
    expect(
      codes((await query('{ export }', await bearer({ scopes: ['reports:export'] }))).body),
    ).toEqual(['FORBIDDEN']);
    const both = await bearer({ scopes: ['reports:read', 'reports:export'] });
    expect((await query('{ export }', both)).body).toEqual({ data: { export: 'export' } });
  });

  it('admits roles', async () => {
    const { body } = await query('{ purge }', await bearer({ roles: ['admin'] }));
    expect(body).toEqual({ data: { purge: true } });
  });
});
