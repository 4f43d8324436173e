import { jest } from '@jest/globals';
import { type INestApplication } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import request from 'supertest';
import type { IssuerOptions } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { appWith } from '../../support/test-app.js';

jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLIENT_ID = 'notes-api';

describe('introspection options: client authentication, RFC 9701, discovery, several issuers', () => {
  let issuer: LocalIssuer;
  let endpoint: LocalIntrospectionEndpoint;
  let app: INestApplication | undefined;
  const closing: Array<{ close?: () => Promise<void>; stop?: () => Promise<void> }> = [];

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
    endpoint = await LocalIntrospectionEndpoint.start();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await endpoint.stop();
    await issuer.close();
    for (const thing of closing.splice(0)) await (thing.close ?? thing.stop)!.call(thing);
  });

  const start = async (issuers: IssuerOptions[]) => {
    app = await appWith({ issuers, warmUp: false });
  };

  const introspecting = (introspection: IssuerOptions['introspection'], of = issuer) =>
    of.issuerOptions({ introspection });

  const get = (token: string) =>
    request(app!.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  const members = (of = issuer) => ({
    iss: of.issuer,
    aud: of.audience,
    sub: 'user-1',
    exp: Math.floor(Date.now() / 1000) + 300,
  });

  it('client_secret_post sends the credentials in the form', async () => {
    await start([
      introspecting({
        clientId: CLIENT_ID,
        clientSecret: 's3cret',
        clientAuthentication: 'client_secret_post',
        endpoint: endpoint.url,
      }),
    ]);
    const token = endpoint.issue(members());
    expect((await get(token)).status).toBe(200);
    const [sent] = endpoint.requests;
    expect(sent.authorization).toBeUndefined();
    expect(sent.form.get('client_id')).toBe(CLIENT_ID);
    expect(sent.form.get('client_secret')).toBe('s3cret');
  });

  it('none sends only client_id, when said explicitly', async () => {
    await start([
      introspecting({ clientId: CLIENT_ID, clientAuthentication: 'none', endpoint: endpoint.url }),
    ]);
    expect((await get(endpoint.issue(members()))).status).toBe(200);
    const [sent] = endpoint.requests;
    expect(sent.authorization).toBeUndefined();
    expect([...sent.form.keys()].sort()).toEqual(['client_id', 'token', 'token_type_hint']);
  });

  it.each([
    ['an RSA key', 'rsa', 'RS256'],
    ['a P-256 key', 'ec', 'ES256'],
    ['an Ed25519 key', 'ed25519', 'Ed25519'],
  ] as const)('private_key_jwt signs an RFC 7523 assertion with %s', async (_what, type, alg) => {
    const { privateKey, publicKey } =
      type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519');
    await start([
      introspecting({
        clientId: CLIENT_ID,
        clientAssertion: { privateKey, kid: 'api-key-1' },
        endpoint: endpoint.url,
      }),
    ]);
    expect((await get(endpoint.issue(members()))).status).toBe(200);
    expect((await get(endpoint.issue(members()))).status).toBe(200);
    const [first, second] = endpoint.requests;
    expect(first.form.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }) as string, alg);
    const { payload, protectedHeader } = await jwtVerify(first.form.get('client_assertion')!, key, {
      issuer: CLIENT_ID,
      subject: CLIENT_ID,
      audience: issuer.issuer,
      algorithms: [alg],
    });
    expect(protectedHeader.kid).toBe('api-key-1');
    expect(payload.exp! - payload.iat!).toBe(60);
    const again = await jwtVerify(second.form.get('client_assertion')!, key, { algorithms: [alg] });
    expect(again.payload.jti).not.toBe(payload.jti);
  });

  it('finds the endpoint in the discovery document (introspection_endpoint)', async () => {
    issuer.discoveryDocuments.set('/meta/.well-known/openid-configuration', {
      issuer: issuer.issuer,
      jwks_uri: issuer.jwksUri,
      introspection_endpoint: endpoint.url,
    });
    await start([
      issuer.issuerOptions({
        discoveryUri: `${issuer.issuer}/meta/.well-known/openid-configuration`,
        introspection: { clientId: CLIENT_ID, clientSecret: 's3cret' },
      }),
    ]);
    expect((await get(endpoint.issue(members()))).status).toBe(200);
    expect(endpoint.calls).toBe(1);
  });

  it('finds the endpoint during the warm-up, and stops the start with failOnStartup when it cannot', async () => {
    issuer.discoveryDocuments.set('/meta/.well-known/openid-configuration', {
      issuer: issuer.issuer,
      jwks_uri: issuer.jwksUri,
      introspection_endpoint: endpoint.url,
    });
    const discovering = issuer.issuerOptions({
      discoveryUri: `${issuer.issuer}/meta/.well-known/openid-configuration`,
      introspection: { clientId: CLIENT_ID, clientSecret: 's3cret' },
    });
    app = await appWith({ issuers: [discovering] });
    const atStart = issuer.requests.discovery;
    expect(atStart).toBeGreaterThanOrEqual(2);
    expect((await get(endpoint.issue(members()))).status).toBe(200);
    expect(issuer.requests.discovery).toBe(atStart);
    await app.close();
    app = undefined;

    const undiscoverable = introspecting({ clientId: CLIENT_ID, clientSecret: 's3cret' });
    await expect(appWith({ issuers: [undiscoverable], failOnStartup: true })).rejects.toThrow(
      /Could not prepare token introspection at .*: discovering the introspection endpoint failed: .*no introspection_endpoint/,
    );
  });

  it('answers 503 when the discovery document names no introspection endpoint', async () => {
    await start([introspecting({ clientId: CLIENT_ID, clientSecret: 's3cret' })]);
    const res = await get(endpoint.issue(members()));
    expect(res.status).toBe(503);
    expect(endpoint.calls).toBe(0);
  });

  describe('RFC 9701 signed responses', () => {
    const signed = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      issuer.signRaw({ typ: 'token-introspection+jwt', ...header }, payload);

    const respondWith = (
      change: (members: Record<string, unknown>) => Record<string, unknown> = (m) => ({
        iss: issuer.issuer,
        aud: CLIENT_ID,
        iat: Math.floor(Date.now() / 1000),
        token_introspection: m,
      }),
      header: Record<string, unknown> = {},
    ) => {
      endpoint.signResponse = (m) => signed(change(m), header);
    };

    const startSigned = () =>
      start([
        introspecting({
          clientId: CLIENT_ID,
          clientSecret: 's3cret',
          endpoint: endpoint.url,
          signedResponse: true,
        }),
      ]);

    it('asks for a signed response and verifies it with the issuer key set', async () => {
      respondWith();
      await startSigned();
      const res = await get(endpoint.issue({ ...members(), scope: 'notes:read' }));
      expect(res.status).toBe(200);
      expect(res.body.scopes).toEqual(['notes:read']);
      expect(endpoint.requests[0].accept).toBe('application/token-introspection+jwt');
      expect(issuer.requests.jwks).toBeGreaterThan(0);
    });

    it.each(['EdDSA', 'Ed25519', 'Ed448'] as const)(
      'verifies a response the issuer signs with %s (an OKP key), and refuses another key’s',
      async (alg) => {
        await issuer.addKey({ alg, retire: true });
        respondWith();
        await startSigned();
        const good = await get(endpoint.issue({ ...members(), scope: 'notes:read' }));
        expect(good.status).toBe(200);
        expect(good.body.scopes).toEqual(['notes:read']);
        const other = await LocalIssuer.start({ alg });
        closing.push(other);
        endpoint.signResponse = (m) =>
          other.signRaw(
            { typ: 'token-introspection+jwt', kid: issuer.currentKid },
            {
              iss: issuer.issuer,
              aud: CLIENT_ID,
              iat: Math.floor(Date.now() / 1000),
              token_introspection: m,
            },
          );
        expect((await get(endpoint.issue(members()))).status).toBe(503);
      },
    );

    it('is refused (503, the token may be good) without typ token-introspection+jwt', async () => {
      respondWith(undefined, { typ: 'JWT' });
      await startSigned();
      expect((await get(endpoint.issue(members()))).status).toBe(503);
    });

    it.each([
      ['another audience', { aud: 'someone-else' }],
      ['another issuer', { iss: 'https://elsewhere.example' }],
      ['no iat', { iat: undefined }],
      ['no token_introspection', { token_introspection: undefined }],
    ])('is refused with %s', async (_what, change) => {
      respondWith((m) => ({
        iss: issuer.issuer,
        aud: CLIENT_ID,
        iat: Math.floor(Date.now() / 1000),
        token_introspection: m,
        ...change,
      }));
      await startSigned();
      expect((await get(endpoint.issue(members()))).status).toBe(503);
    });

    it('is refused when the signature is not by the issuer', async () => {
      const other = await LocalIssuer.start();
      closing.push(other);
      endpoint.signResponse = (m) =>
        other.signRaw(
          { typ: 'token-introspection+jwt', kid: issuer.currentKid },
          {
            iss: issuer.issuer,
            aud: CLIENT_ID,
            iat: Math.floor(Date.now() / 1000),
            token_introspection: m,
          },
        );
      await startSigned();
      expect((await get(endpoint.issue(members()))).status).toBe(503);
    });

    it('refuses a plain JSON answer when a signed one was asked for', async () => {
      await startSigned();
      expect((await get(endpoint.issue(members()))).status).toBe(503);
    });

    it('still refuses an inactive token told in a signed response', async () => {
      respondWith();
      await startSigned();
      expect((await get('opq_unknown.token')).status).toBe(401);
    });
  });

  describe('several introspecting issuers', () => {
    let second: LocalIssuer;
    let secondEndpoint: LocalIntrospectionEndpoint;

    beforeEach(async () => {
      second = await LocalIssuer.start({ audience: 'api://second' });
      secondEndpoint = await LocalIntrospectionEndpoint.start();
      closing.push(second, secondEndpoint);
    });

    const both = (prefixes?: [string[], string[]]) =>
      start([
        introspecting({
          clientId: CLIENT_ID,
          clientSecret: 'a',
          endpoint: endpoint.url,
          tokenPrefixes: prefixes?.[0],
        }),
        introspecting(
          {
            clientId: CLIENT_ID,
            clientSecret: 'b',
            endpoint: secondEndpoint.url,
            tokenPrefixes: prefixes?.[1],
          },
          second,
        ),
      ]);

    it('asks them in order; the first active answer decides, checked by its own issuer', async () => {
      await both();
      const token = secondEndpoint.issue(members(second));
      const res = await get(token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ issuer: second.issuer, audience: ['api://second'] });
      expect([endpoint.calls, secondEndpoint.calls]).toEqual([1, 1]);
    });

    it('refuses a token no issuer says is active', async () => {
      await both();
      const res = await get('opq_nobody.knows');
      expect(res.status).toBe(401);
      expect([endpoint.calls, secondEndpoint.calls]).toEqual([1, 1]);
    });

    it('answers 503 when one cannot answer and none vouches for the token', async () => {
      await both();
      endpoint.fault = 'http502';
      expect((await get('opq_nobody.knows')).status).toBe(503);
    });

    it('sends a token only to the issuers whose tokenPrefixes it has', async () => {
      await both([['ory_at_'], ['opq_']]);
      expect((await get(secondEndpoint.issue(members(second)))).status).toBe(200);
      expect([endpoint.calls, secondEndpoint.calls]).toEqual([0, 1]);
      const res = await get('mystery_token');
      expect(res.status).toBe(401);
      expect([endpoint.calls, secondEndpoint.calls]).toEqual([0, 1]);
    });
  });

  it('introspectJwts: a JWT verified locally is refused once its issuer says it is revoked', async () => {
    await start([
      introspecting({
        clientId: CLIENT_ID,
        clientSecret: 's3cret',
        endpoint: endpoint.url,
        introspectJwts: true,
        maxAgeMs: 200,
      }),
    ]);
    const jwt = endpoint.activate(await issuer.mint({ sub: 'jwt-user' }), members());
    expect((await get(jwt)).status).toBe(200);
    expect((await get(jwt)).status).toBe(200);
    expect(endpoint.calls).toBe(1);
    endpoint.revoke(jwt);
    await sleep(250);
    const res = await get(jwt);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('not active');
  });
});
