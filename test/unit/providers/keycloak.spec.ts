import { keycloak, keycloakClaims } from '../../../lib/providers/keycloak.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { judge } from './judge.js';

const ISS = 'https://sso.example.com/realms/acme';
const NOW = 1_750_000_000;

/** A user's access token for the notes-spa client, with an audience mapper adding notes-api. */
const userToken = {
  exp: NOW + 300,
  iat: NOW - 10,
  auth_time: NOW - 20,
  jti: 'onrtac:5b1d7a3e-2c4f-4e8a-9b6d-1f0e3c2a4b5d',
  iss: ISS,
  aud: ['notes-api', 'account'],
  sub: 'f1c2e3d4-1111-4222-8333-944455556666',
  typ: 'Bearer',
  azp: 'notes-spa',
  sid: '7c9e2f1a-3b4d-4e6f-8a0b-2c4d6e8f0a1b',
  acr: '1',
  'allowed-origins': ['https://notes.example.com'],
  realm_access: { roles: ['default-roles-acme', 'offline_access', 'uma_authorization', 'staff'] },
  resource_access: {
    'notes-api': { roles: ['notes-editor'] },
    // Another client's roles, one of them named like a role the API might check.
    'billing-api': { roles: ['admin', 'invoices-approver'] },
    account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] },
  },
  scope: 'openid email profile',
  email_verified: true,
  name: 'Alice Liddell',
  preferred_username: 'alice',
  given_name: 'Alice',
  family_name: 'Liddell',
  email: 'alice@example.com',
};

/** A client-credentials token of a client with "Service accounts roles" enabled (Keycloak 25+). */
const serviceAccountToken = {
  exp: NOW + 300,
  iat: NOW - 10,
  jti: 'trrtcc:0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a',
  iss: ISS,
  aud: 'account',
  sub: '0a1b2c3d-7777-4888-9999-aaaabbbbcccc',
  typ: 'Bearer',
  azp: 'reporting-job',
  acr: '1',
  'allowed-origins': ['/*'],
  realm_access: { roles: ['default-roles-acme', 'offline_access', 'uma_authorization'] },
  resource_access: {
    'notes-api': { roles: ['notes-reader'] },
    account: { roles: ['manage-account', 'view-profile'] },
  },
  scope: 'profile email',
  clientHost: '10.0.3.17',
  email_verified: false,
  preferred_username: 'service-account-reporting-job',
  clientAddress: '10.0.3.17',
  client_id: 'reporting-job',
};

/**
 * An ID token of the same realm for a single-client set-up where the API's client is also the one
 * the user logged in to: same keys, and an `aud` the API accepts.
 */
const idToken = {
  exp: NOW + 300,
  iat: NOW - 10,
  auth_time: NOW - 20,
  jti: 'ntrtac:3f6c1d2e-8a9b-4c0d-9e1f-2a3b4c5d6e7f',
  iss: ISS,
  aud: 'notes-api',
  sub: 'f1c2e3d4-1111-4222-8333-944455556666',
  typ: 'ID',
  azp: 'notes-api',
  nonce: 'n-0S6_WzA2Mj',
  sid: '7c9e2f1a-3b4d-4e6f-8a0b-2c4d6e8f0a1b',
  at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
  acr: '1',
  email_verified: true,
  preferred_username: 'alice',
  email: 'alice@example.com',
};

describe('keycloakClaims', () => {
  it('reads realm roles and the configured client’s roles, not those of other clients', () => {
    expect(keycloakClaims('notes-api')(userToken)).toEqual({
      scopes: ['openid', 'email', 'profile'],
      roles: ['default-roles-acme', 'offline_access', 'uma_authorization', 'staff', 'notes-editor'],
      clientId: 'notes-spa',
      isAppOnly: false,
      authContext: { acr: ['1'], amr: [], authTime: NOW - 20 },
    });
  });

  it('never counts another client’s roles, whatever their name', () => {
    for (const mapper of [keycloakClaims('notes-api'), keycloakClaims()]) {
      const { roles } = mapper(userToken);
      expect(roles).not.toContain('admin');
      expect(roles).not.toContain('invoices-approver');
      expect(roles).not.toContain('manage-account');
    }
  });

  it('reads realm roles only when no client is configured', () => {
    expect(keycloakClaims()(userToken).roles).toEqual([
      'default-roles-acme',
      'offline_access',
      'uma_authorization',
      'staff',
    ]);
  });

  it('marks a service-account token app-only, with its client roles', () => {
    expect(keycloakClaims('notes-api')(serviceAccountToken)).toEqual({
      scopes: ['profile', 'email'],
      roles: ['default-roles-acme', 'offline_access', 'uma_authorization', 'notes-reader'],
      clientId: 'reporting-job',
      isAppOnly: true,
      authContext: { acr: ['1'], amr: [], authTime: undefined },
    });
  });

  it('falls back to client_id for the client and ignores access claims of the wrong shape', () => {
    expect(
      keycloakClaims('notes-api')({
        sub: 'x',
        client_id: 'legacy-client',
        realm_access: ['staff'],
        resource_access: { 'notes-api': { roles: 'notes-editor' } },
      }),
    ).toEqual({
      scopes: [],
      roles: ['notes-editor'],
      clientId: 'legacy-client',
      isAppOnly: false,
      authContext: { acr: [], amr: [], authTime: undefined },
    });
    expect(
      keycloakClaims('notes-api')({ sub: 'x', resource_access: { 'notes-api': null } }).roles,
    ).toEqual([]);
  });
});

describe('keycloak preset', () => {
  it.each([
    ['https://sso.example.com', 'acme', 'https://sso.example.com/realms/acme'],
    ['https://sso.example.com/', 'acme', 'https://sso.example.com/realms/acme'],
    ['https://legacy.example.com/auth', 'acme', 'https://legacy.example.com/auth/realms/acme'],
    ['https://sso.example.com', 'my realm', 'https://sso.example.com/realms/my%20realm'],
  ])('builds the issuer of %s realm %j', (url, realm, issuer) => {
    expect(keycloak({ url, realm, audience: 'notes-api' }).issuer).toBe(issuer);
  });

  it('passes the audience through and reads the configured client’s roles', () => {
    const preset = keycloak({
      url: 'https://sso.example.com',
      realm: 'acme',
      audience: 'notes-api',
      clientId: 'notes-api',
    });
    expect(preset.audience).toBe('notes-api');
    expect(preset.claimMapper!(userToken).roles).toContain('notes-editor');
  });

  describe('with the verifier’s claim rules', () => {
    const check = judge(
      keycloak({
        url: 'https://sso.example.com',
        realm: 'acme',
        audience: 'notes-api',
        clientId: 'notes-api',
      }),
      NOW,
    );

    it('accepts the user token carrying notes-api in its aud list', () => {
      const principal = check(userToken) as OidcPrincipal;
      expect(principal.subject).toBe(userToken.sub);
      expect(principal.hasRole('notes-editor')).toBe(true);
      expect(principal.hasRole('admin')).toBe(false);
    });

    it('refuses a token whose only audience is Keycloak’s default "account"', () => {
      expect(check(serviceAccountToken)).toBe('audience_mismatch');
      expect(
        (check({ ...serviceAccountToken, aud: ['notes-api'] }) as OidcPrincipal).isAppOnly,
      ).toBe(true);
    });

    it('refuses an ID or refresh token whose audience matches: only typ Bearer is an access token', () => {
      expect(check(idToken)).toBe('claim_invalid');
      expect(check({ ...idToken, typ: 'Refresh' })).toBe('claim_invalid');
      const { typ: _typ, ...untyped } = userToken;
      expect(check(untyped)).toBe('claim_invalid');
      // The same claims as an access token pass: typ is what tells them apart.
      expect(check({ ...idToken, typ: 'Bearer' })).not.toBe('claim_invalid');
    });

    it('says why an ID token is refused', () => {
      const preset = keycloak({ url: 'https://sso.example.com', realm: 'acme', audience: 'x' });
      expect(preset.validateClaims!(idToken)).toBe(
        'The token must be a Keycloak access token (typ Bearer), not an ID or refresh token',
      );
      expect(preset.validateClaims!(userToken)).toBeUndefined();
    });

    it('refuses a token of another realm', () => {
      expect(check({ ...userToken, iss: 'https://sso.example.com/realms/master' })).toBe(
        'unknown_issuer',
      );
    });
  });
});
