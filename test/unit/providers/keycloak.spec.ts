import { keycloak, keycloakClaims } from '../../../lib/providers/keycloak.js';

describe('Keycloak', () => {
  const user = {
    iss: 'https://sso.example.com/realms/acme',
    sub: 'f1c2e3d4-1111-4222-8333-944455556666',
    azp: 'notes-spa',
    scope: 'openid email notes:read',
    preferred_username: 'alice',
    realm_access: { roles: ['offline_access', 'staff'] },
    resource_access: {
      'notes-api': { roles: ['admin'] },
      'billing-api': { roles: ['superuser'] },
    },
  };
  const serviceAccount = {
    iss: 'https://sso.example.com/realms/acme',
    sub: '0a1b2c3d-7777-4888-9999-aaaabbbbcccc',
    azp: 'reporting-job',
    scope: 'notes:read',
    preferred_username: 'service-account-reporting-job',
    client_id: 'reporting-job',
  };

  it('reads realm roles and the roles of the configured client only', () => {
    expect(keycloakClaims('notes-api')(user)).toEqual({
      scopes: ['openid', 'email', 'notes:read'],
      roles: ['offline_access', 'staff', 'admin'],
      clientId: 'notes-spa',
      isAppOnly: false,
    });
    expect(keycloakClaims()(user).roles).not.toContain('superuser');
    expect(keycloakClaims('notes-api')(user).roles).not.toContain('superuser');
  });

  it('marks service-account tokens app-only', () => {
    expect(keycloakClaims('notes-api')(serviceAccount)).toMatchObject({
      isAppOnly: true,
      clientId: 'reporting-job',
    });
  });

  it('builds the realm issuer', () => {
    expect(
      keycloak({ url: 'https://sso.example.com/', realm: 'acme', audience: 'notes-api' }).issuer,
    ).toBe('https://sso.example.com/realms/acme');
  });
});
