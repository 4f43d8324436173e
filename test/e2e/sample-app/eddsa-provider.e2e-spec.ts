import { jest } from '@jest/globals';
import { DpopKey, TokenClient } from '../../../lib/index.js';
import { loginWithPkce } from '../../../sample-app/src/clients/pkce-login.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { serviceToken, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;

// oidc-provider over 127.0.0.1 signing with an Ed25519 key (DEV_IDP_SIGNING_ALG): the sample with
// its embedded provider, and a second sample trusting it through OIDC_ISSUER alone, accept its
// tokens with no algorithm option anywhere.
describe.each(['Ed25519', 'EdDSA'])(
  'sample app with the embedded provider signing %s (RFC 9864, RFC 8037)',
  (alg) => {
    let provider: SampleApp;
    let external: SampleApp;

    beforeAll(async () => {
      provider = await startSample({ DEV_IDP_SIGNING_ALG: alg });
      external = await startSample({
        OIDC_ISSUER: provider.idp!.issuer,
        OIDC_AUDIENCE: 'api://notes',
      });
    });

    afterAll(async () => {
      await external?.close();
      await provider?.close();
    });

    const call = (sample: SampleApp, path: string, token: string) =>
      fetch(`${sample.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

    it('publishes an OKP key and signs client-credentials tokens with it, which both samples accept', async () => {
      const jwks = (await (await fetch(`${provider.idp!.issuer}/jwks`)).json()) as {
        keys: Array<Record<string, unknown>>;
      };
      expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg });
      const token = await serviceToken(provider, ['notes:read']);
      expect(headerOf(token)).toMatchObject({ alg, typ: 'at+jwt' });
      for (const sample of [provider, external]) {
        expect((await call(sample, '/notes', token)).status).toBe(200);
      }
      const [header, payload] = token.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
      for (const sample of [provider, external]) {
        const res = await call(sample, '/notes', forged);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      }
    });

    it('signs a user’s token (authorization code + PKCE) and the exchanged downstream token with it', async () => {
      const idp = provider.idp!;
      const alice = await loginWithPkce({
        issuer: idp.issuer,
        clientId: idp.spaClientId,
        redirectUri: `${provider.apiUrl}/docs/oauth2-redirect.html`,
        username: 'alice',
        password: 'alice',
        scope: 'openid notes:read notes:write',
      });
      expect(headerOf(alice.accessToken).alg).toBe(alg);
      expect((await call(external, '/me', alice.accessToken)).status).toBe(200);
      const exchanged = await new TokenClient({
        issuer: idp.issuer,
        ...idp.serviceClient,
        exchange: 'token-exchange',
      }).getTokenOnBehalfOf(alice.accessToken, {
        resource: idp.downstreamAudience,
        scopes: ['audit:read'],
      });
      expect(headerOf(exchanged).alg).toBe(alg);
    });

    it('binds a token to an Ed25519 DPoP key of TokenClient, which the sample accepts with its proofs', async () => {
      const idp = provider.idp!;
      const key = await DpopKey.generate('Ed25519');
      const client = new TokenClient({
        tokenEndpoint: idp.tokenEndpoint,
        ...idp.serviceClient,
        dpop: { key },
      });
      const token = await client.getAppToken({ scopes: ['notes:read'] });
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expect(claims.cnf).toEqual({ jkt: key.thumbprint });
      const url = `${external.apiUrl}/notes`;
      const res = await fetch(url, {
        headers: {
          authorization: `DPoP ${token}`,
          dpop: key.proof({ method: 'GET', url, accessToken: token }),
        },
      });
      expect(res.status).toBe(200);
    });
  },
);
