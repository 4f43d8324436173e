import { jest } from '@jest/globals';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { serviceToken, startSampleAndExternal } from '../../support/sample-app.js';

jest.setTimeout(30_000);

interface GraphQLResponse {
  data?: { notes?: Array<{ id: number; text: string }> } | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

describe('sample app: POST /graphql', () => {
  let provider: SampleApp;
  let external: SampleApp;

  const tokenWith = (scopes: string[]) => serviceToken(provider, scopes);

  async function query(sample: SampleApp, token?: string): Promise<[number, GraphQLResponse]> {
    const res = await fetch(`${sample.apiUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: '{ notes { id text } }' }),
    });
    return [res.status, (await res.json()) as GraphQLResponse];
  }

  beforeAll(async () => {
    ({ provider, external } = await startSampleAndExternal());
  });

  afterAll(async () => {
    await external.close();
    await provider.close();
  });

  it('answers notes { id text } to a token with notes:read', async () => {
    const token = await tokenWith(['notes:read', 'notes:write']);
    const created = await fetch(`${provider.apiUrl}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'via graphql' }),
    });
    const note = (await created.json()) as { id: number };
    const [status, body] = await query(provider, token);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { notes: [{ id: note.id, text: 'via graphql' }] } });
  });

  it('answers UNAUTHENTICATED without a token or with a bad one, never a 500', async () => {
    for (const token of [undefined, 'not-a-jwt']) {
      const [status, body] = await query(provider, token);
      expect(status).not.toBe(500);
      expect(body.data).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['notes'],
          extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
        }),
      ]);
    }
  });

  it('answers FORBIDDEN to a token without notes:read', async () => {
    const [, body] = await query(provider, await tokenWith(['notes:write']));
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'This resource requires the scope notes:read',
        extensions: { code: 'FORBIDDEN', error: 'insufficient_scope', status: 403 },
      }),
    ]);
  });

  it('works the same in OIDC_ISSUER mode', async () => {
    const [, ok] = await query(external, await tokenWith(['notes:read']));
    expect(ok).toEqual({ data: { notes: [] } });
    const [, refused] = await query(external);
    expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
