import { auth0, auth0Claims } from '../../../lib/providers/auth0.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { judge } from './judge.js';

const DOMAIN = 'notes-demo.eu.auth0.com';
const ISS = `https://${DOMAIN}/`;
const API = 'https://notes.example.com/api'; // the API identifier configured in Auth0
const ROLES = 'https://notes.example.com/roles'; // claim added by a post-login Action
const SPA = 'Xq7dYf2LkP9sVb3NwR6tHc1JmZ8aGe4U';
const M2M = 'p4Lk9Tz2Qw8Rn6Ys1Vb3Xc7Md5Fh0Ja';
const NOW = 1_750_000_000;

/** Who a user's token is for, and when, in either token profile. */
const user = {
  iss: ISS,
  sub: 'auth0|65a1f0c2e4b0a1b2c3d4e5f6',
  aud: [API, `https://${DOMAIN}/userinfo`],
  iat: NOW - 30,
  exp: NOW + 86_400,
};

/** Who a machine-to-machine (client credentials) token is for, and when, in either profile. */
const m2m = { iss: ISS, sub: `${M2M}@clients`, aud: API, iat: NOW - 30, exp: NOW + 86_400 };

/** A user's access token with RBAC and "Add Permissions in the Access Token" on. */
const userToken = {
  ...user,
  scope: 'openid profile email read:notes',
  azp: SPA,
  permissions: ['read:notes', 'write:notes'],
  [ROLES]: ['editor'],
};

/** A machine-to-machine (client credentials) token. */
const m2mToken = {
  ...m2m,
  scope: 'read:notes',
  gty: 'client-credentials',
  azp: M2M,
  permissions: ['read:notes'],
};

/**
 * The same tokens with the API's "Token Profile" set to RFC 9068 (JOSE `typ: at+jwt`): the client
 * is in `client_id`, there is no `azp` and no `gty`.
 */
const rfc9068UserToken = {
  ...user,
  jti: 'b4Zq1Xw9Lk2Pn7Rs',
  client_id: SPA,
  scope: 'openid profile email read:notes',
  permissions: ['read:notes', 'write:notes'],
};

const rfc9068M2mToken = {
  ...m2m,
  jti: 'Vt8Yh3Gd6Ka1Mc5N',
  client_id: M2M,
  scope: 'read:notes',
  permissions: ['read:notes'],
};

describe('auth0Claims', () => {
  it('counts the scope string and the RBAC permissions as scopes, roles from the namespaced claim', () => {
    expect(auth0Claims(ROLES)(userToken)).toEqual({
      scopes: ['openid', 'profile', 'email', 'read:notes', 'read:notes', 'write:notes'],
      roles: ['editor'],
      clientId: SPA,
      isAppOnly: false,
    });
  });

  it('has no roles unless the roles claim is configured', () => {
    expect(auth0Claims()(userToken).roles).toEqual([]);
    expect(auth0Claims('https://other.example.com/roles')(userToken).roles).toEqual([]);
  });

  it('marks machine-to-machine tokens (gty client-credentials) app-only, client from azp', () => {
    expect(auth0Claims(ROLES)(m2mToken)).toEqual({
      scopes: ['read:notes', 'read:notes'],
      roles: [],
      clientId: M2M,
      isAppOnly: true,
    });
  });

  it('reads the RFC 9068 profile: client from client_id, M2M by its <client>@clients subject', () => {
    expect(auth0Claims()(rfc9068UserToken)).toMatchObject({ clientId: SPA, isAppOnly: false });
    expect(auth0Claims()(rfc9068M2mToken)).toEqual({
      scopes: ['read:notes', 'read:notes'],
      roles: [],
      clientId: M2M,
      isAppOnly: true,
    });
  });

  it('marks a default-profile token app-only by its subject even without gty', () => {
    const { gty: _gty, ...noGty } = m2mToken;
    expect(auth0Claims()(noGty).isAppOnly).toBe(true);
  });

  it('takes only the exact <own client>@clients subject for an app', () => {
    expect(auth0Claims()({ ...rfc9068M2mToken, sub: 'other-client@clients' }).isAppOnly).toBe(
      false,
    );
    expect(auth0Claims()({ ...rfc9068M2mToken, sub: `auth0|${M2M}@clients` }).isAppOnly).toBe(
      false,
    );
    const { client_id: _c, ...noClient } = rfc9068M2mToken;
    expect(auth0Claims()(noClient)).toMatchObject({ clientId: undefined, isAppOnly: false });
  });

  it('does not take a social-login user for an app', () => {
    expect(
      auth0Claims()({ ...userToken, sub: 'google-oauth2|109876543210987654321' }).isAppOnly,
    ).toBe(false);
    expect(auth0Claims()({ ...userToken, gty: 'password' }).isAppOnly).toBe(false);
  });
});

describe('auth0 preset', () => {
  it.each([DOMAIN, `https://${DOMAIN}`, `https://${DOMAIN}/`, `${DOMAIN}//`])(
    'builds the issuer with Auth0’s trailing slash from %j',
    (domain) => {
      expect(auth0({ domain, audience: API }).issuer).toBe(ISS);
    },
  );

  it('keeps custom domains and passes the audience through', () => {
    const preset = auth0({ domain: 'login.notes.example.com', audience: [API, 'urn:notes'] });
    expect(preset).toMatchObject({
      issuer: 'https://login.notes.example.com/',
      audience: [API, 'urn:notes'],
    });
    expect(preset.audienceClaim).toBeUndefined();
  });

  it('maps claims with the configured roles claim', () => {
    expect(
      auth0({ domain: DOMAIN, audience: API, rolesClaim: ROLES }).claimMapper!(userToken),
    ).toMatchObject({ roles: ['editor'] });
  });

  describe('with the verifier’s claim rules', () => {
    const check = judge(auth0({ domain: DOMAIN, audience: API, rolesClaim: ROLES }), NOW);

    it('accepts the user token (aud array holding the API) and the M2M token', () => {
      const user = check(userToken) as OidcPrincipal;
      expect(user.subject).toBe(userToken.sub);
      expect(user.hasScope('write:notes')).toBe(true);
      expect(user.hasRole('editor')).toBe(true);
      expect((check(m2mToken) as OidcPrincipal).isAppOnly).toBe(true);
    });

    it('accepts RFC 9068 profile tokens with their client and app-only status', () => {
      const user = check(rfc9068UserToken) as OidcPrincipal;
      expect(user).toMatchObject({ clientId: SPA, isAppOnly: false });
      const m2m = check(rfc9068M2mToken) as OidcPrincipal;
      expect(m2m).toMatchObject({ clientId: M2M, isAppOnly: true });
      expect(m2m.hasScope('read:notes')).toBe(true);
    });

    it('refuses a token for the userinfo endpoint only, and one of another tenant', () => {
      expect(check({ ...userToken, aud: `https://${DOMAIN}/userinfo` })).toBe('audience_mismatch');
      expect(check({ ...userToken, iss: 'https://other.eu.auth0.com/' })).toBe('unknown_issuer');
      // Auth0's issuer ends with a slash; without it, it is another issuer.
      expect(check({ ...userToken, iss: `https://${DOMAIN}` })).toBe('unknown_issuer');
    });
  });
});
