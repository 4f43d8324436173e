import { auth0, auth0Claims } from '../../../lib/providers/auth0.js';
import type { OidcPrincipal } from '../../../lib/verification/principal.js';
import { judge } from './judge.js';

const DOMAIN = 'notes-demo.eu.auth0.com';
const ISS = `https://${DOMAIN}/`;
const API = 'https://notes.example.com/api'; // the API identifier configured in Auth0
const ROLES = 'https://notes.example.com/roles'; // claim added by a post-login Action
const SPA = 'Xq7dYf2LkP9sVb3NwR6tHc1JmZ8aGe4U';
const M2M = 'p4Lk9Tz2Qw8Rn6Ys1Vb3Xc7Md5Fh0Ja';
const NOW = 1_750_000_000;

/** A user's access token with RBAC and "Add Permissions in the Access Token" on. */
const userToken = {
  iss: ISS,
  sub: 'auth0|65a1f0c2e4b0a1b2c3d4e5f6',
  aud: [API, `https://${DOMAIN}/userinfo`],
  iat: NOW - 30,
  exp: NOW + 86_400,
  scope: 'openid profile email read:notes',
  azp: SPA,
  permissions: ['read:notes', 'write:notes'],
  [ROLES]: ['editor'],
};

/** A machine-to-machine (client credentials) token. */
const m2mToken = {
  iss: ISS,
  sub: `${M2M}@clients`,
  aud: API,
  iat: NOW - 30,
  exp: NOW + 86_400,
  scope: 'read:notes',
  gty: 'client-credentials',
  azp: M2M,
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

    it('refuses a token for the userinfo endpoint only, and one of another tenant', () => {
      expect(check({ ...userToken, aud: `https://${DOMAIN}/userinfo` })).toBe('audience_mismatch');
      expect(check({ ...userToken, iss: 'https://other.eu.auth0.com/' })).toBe('unknown_issuer');
      // Auth0's issuer ends with a slash; without it, it is another issuer.
      expect(check({ ...userToken, iss: `https://${DOMAIN}` })).toBe('unknown_issuer');
    });
  });
});
