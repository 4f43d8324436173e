import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { TokenClient, UnexpectedTokenTypeError } from '../../../lib/index.js';
import { loginWithPkce } from '../../../sample-app/src/clients/pkce-login.js';
import { type DevIdentityProvider } from '../../../sample-app/src/identity-provider/dev-identity-provider.js';
import { DEV_IDP_REDIRECT_URI, startDevIdp } from '../../support/sample-app.js';

jest.setTimeout(30_000);

const audit = { resource: 'api://audit', scopes: ['audit:read'] };

describe.each([false, true])(
  'TokenClient with DPoP against the embedded oidc-provider (nonce required: %s)',
  (requireDpopNonce) => {
    let idp: DevIdentityProvider;
    beforeAll(async () => {
      idp = await startDevIdp({ requireDpopNonce });
    });
    afterAll(() => idp.close());

    const client = (dpop: ConstructorParameters<typeof TokenClient>[0]['dpop']) =>
      new TokenClient({
        issuer: idp.issuer,
        clientId: idp.serviceClient.clientId,
        clientSecret: idp.serviceClient.clientSecret,
        dpop,
      });

    it.each(['ES256', 'ES384', 'PS256', 'EdDSA'] as const)(
      'gets a client-credentials token bound to its %s key, and keeps it',
      async (algorithm) => {
        const c = client({ algorithm });
        const before = idp.requests.token;
        const token = await c.getAppToken(audit);
        const key = await c.dpop!.keyPair();
        expect(decodeJwt(token)).toMatchObject({
          sub: 'notes-service',
          aud: 'api://audit',
          cnf: { jkt: key.thumbprint },
        });
        // With a required nonce the first proof is refused with use_dpop_nonce and a nonce.
        expect(idp.requests.token - before).toBe(requireDpopNonce ? 2 : 1);
        expect(await c.getAppToken(audit)).toBe(token);
        expect(idp.requests.token - before).toBe(requireDpopNonce ? 2 : 1);
      },
    );

    it('needs one request for its next token, reusing any nonce it was given', async () => {
      const c = client(true);
      await c.getAppToken(audit);
      const before = idp.requests.token;
      const other = await c.getAppToken({ resource: 'api://notes', scopes: ['notes:read'] });
      expect(decodeJwt(other).cnf).toEqual({ jkt: (await c.dpop!.keyPair()).thumbprint });
      expect(idp.requests.token - before).toBe(1);
    });

    it('still gets plain bearer tokens without the option', async () => {
      const token = await client(undefined).getAppToken(audit);
      expect(decodeJwt(token)).not.toHaveProperty('cnf');
    });
  },
);

describe('TokenClient with DPoP and a grant the provider does not bind', () => {
  it("refuses the bearer token of the sample provider's token exchange rather than use it", async () => {
    const idp = await startDevIdp();
    try {
      const { accessToken } = await loginWithPkce({
        issuer: idp.issuer,
        clientId: idp.spaClientId,
        redirectUri: DEV_IDP_REDIRECT_URI,
        username: 'alice',
        password: 'alice',
        scope: 'openid notes:read',
      });
      const c = new TokenClient({
        issuer: idp.issuer,
        clientId: idp.serviceClient.clientId,
        clientSecret: idp.serviceClient.clientSecret,
        dpop: true,
      });
      const exchanged = c.getTokenOnBehalfOf(accessToken, audit);
      await expect(exchanged).rejects.toBeInstanceOf(UnexpectedTokenTypeError);
      await expect(exchanged).rejects.toMatchObject({ tokenType: 'Bearer' });
    } finally {
      await idp.close();
    }
  });
});
