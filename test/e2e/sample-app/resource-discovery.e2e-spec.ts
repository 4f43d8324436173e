import { jest } from '@jest/globals';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { parseChallenges } from '../../support/challenges.js';
import { serviceToken, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const json = async (res: Response) => {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (await res.json()) as Record<string, unknown>;
};

const audienceOf = (token: string): unknown =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud;

// What a client following the specifications does, as the MCP SDK's auth() does it, with fetch:
// the 401's challenge, the resource's metadata (RFC 9728), the authorization server's (RFC 8414 /
// OIDC discovery), a client-credentials token for the advertised resource (RFC 8707), the call.
describe('sample app: a client that discovers everything from the 401 gets in', () => {
  let sample: SampleApp;

  beforeAll(async () => {
    sample = await startSample();
  });

  afterAll(() => sample.close());

  it('follows resource_metadata to a token for the advertised resource, and calls the API with it', async () => {
    const refused = await fetch(`${sample.apiUrl}/notes`);
    expect(refused.status).toBe(401);
    const bearer = parseChallenges(refused.headers.get('www-authenticate')!).find(
      (c) => c.scheme === 'Bearer',
    )!;
    expect(bearer.params.scope).toBe('notes:read');

    const metadata = await json(await fetch(bearer.params.resource_metadata));
    // RFC 9728 §3.3: the document's resource is the one whose metadata URL the client built.
    expect(metadata.resource).toBe(sample.apiUrl);
    const [server] = metadata.authorization_servers as string[];

    const discovery = await json(await fetch(`${server}/.well-known/openid-configuration`));
    const { clientId, clientSecret } = sample.idp!.serviceClient;
    const tokenResponse = await fetch(discovery.token_endpoint as string, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: metadata.resource as string,
        scope: bearer.params.scope,
      }),
    });
    const issued = await json(tokenResponse);
    expect(tokenResponse.status).toBe(200);
    const token = issued.access_token as string;
    expect(audienceOf(token)).toBe(sample.apiUrl);

    const answered = await fetch(`${sample.apiUrl}/notes`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answered.status).toBe(200);
  });

  it('still takes tokens for the audience the provider was configured with', async () => {
    const token = await serviceToken(sample, ['notes:read']);
    expect(audienceOf(token)).toBe('api://notes');
    const res = await fetch(`${sample.apiUrl}/notes`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
