import request from 'supertest';
import { ASYMMETRIC_ALGORITHMS } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { DEFAULT_DPOP_CHALLENGE } from '../../support/challenges.js';
import { appWith, PLATFORMS } from '../../support/test-app.js';

const METADATA =
  'resource_metadata="https://api.example.test/.well-known/oauth-protected-resource"';

describe.each(PLATFORMS)('protected-resource metadata (RFC 9728) on %s', (platform) => {
  let issuer: LocalIssuer;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
  });

  afterAll(() => issuer.close());

  it('publishes the resource, its issuers and the scopes the routes require', async () => {
    const app = await appWith(
      {
        issuers: [
          { issuer: issuer.issuer, audience: [issuer.audience, 'https://api.example.test'] },
        ],
        protectedResource: { resource: 'https://api.example.test', resourceName: 'Notes' },
      },
      platform,
    );
    const res = await request(app.getHttpServer()).get('/.well-known/oauth-protected-resource');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      resource: 'https://api.example.test',
      authorization_servers: [issuer.issuer],
      scopes_supported: [
        'notes:admin',
        'notes:read',
        'notes:write',
        'reports:export',
        'reports:read',
      ],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
      resource_name: 'Notes',
    });
    const challenge = await request(app.getHttpServer()).get('/me');
    expect(challenge.headers['www-authenticate']).toBe(
      `Bearer realm="api", ${METADATA}, ${DEFAULT_DPOP_CHALLENGE}, ${METADATA}`,
    );
    await app.close();
  });

  it('puts the resource path after the well-known prefix (RFC 9728 §3.1)', async () => {
    const app = await appWith(
      {
        issuers: [
          { issuer: issuer.issuer, audience: [issuer.audience, 'https://api.example.test/notes'] },
        ],
        protectedResource: { resource: 'https://api.example.test/notes' },
        allowQueryToken: true,
      },
      platform,
    );
    const res = await request(app.getHttpServer()).get(
      '/.well-known/oauth-protected-resource/notes',
    );
    expect(res.body).toMatchObject({
      resource: 'https://api.example.test/notes',
      bearer_methods_supported: ['header', 'query'],
      dpop_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
    });
    await app.close();
  });

  it('is absent unless configured', async () => {
    const app = await appWith(
      { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
      platform,
    );
    const res = await request(app.getHttpServer()).get('/.well-known/oauth-protected-resource');
    expect(res.status).toBe(404);
    expect((await request(app.getHttpServer()).get('/me')).headers['www-authenticate']).toBe(
      `Bearer realm="api", ${DEFAULT_DPOP_CHALLENGE}`,
    );
    await app.close();
  });

  it('refuses to start while the issuers would refuse tokens issued for the advertised resource', async () => {
    // A client following RFC 8707 asks for a token for `resource` and gets one with that audience:
    // an API that refuses it can never be used by such a client.
    await expect(
      appWith(
        {
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
          protectedResource: { resource: 'https://api.example.test' },
        },
        platform,
      ),
    ).rejects.toThrow(
      `OidcAuthModule: protectedResource.resource is https://api.example.test, which no trusted issuer accepts as an audience (issuers[].audience: ${issuer.audience})`,
    );
  });

  it('refuses a resource that is not a URL at startup', async () => {
    await expect(
      appWith(
        {
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
          protectedResource: { resource: 'notes' },
        },
        platform,
      ),
    ).rejects.toThrow('OidcAuthModule: protectedResource.resource must be a URL, got "notes"');
  });
});
