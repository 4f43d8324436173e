import { auth0, auth0Claims } from '../../../lib/providers/auth0.js';

describe('Auth0', () => {
  const user = {
    iss: 'https://example.eu.auth0.com/',
    sub: 'auth0|6512b2c8f1e4d3a0b1c2d3e4',
    aud: ['https://notes.example.com', 'https://example.eu.auth0.com/userinfo'],
    azp: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    scope: 'openid profile notes:read',
    permissions: ['notes:read', 'notes:write'],
    'https://example.com/roles': ['editor'],
  };
  const m2m = {
    iss: 'https://example.eu.auth0.com/',
    sub: 'ZyXwVuTsRqPoNmLkJiHgFeDcBa987654@clients',
    aud: 'https://notes.example.com',
    azp: 'ZyXwVuTsRqPoNmLkJiHgFeDcBa987654',
    scope: 'notes:read',
    gty: 'client-credentials',
  };

  it('counts RBAC permissions as scopes and reads roles from the namespaced claim', () => {
    expect(auth0Claims('https://example.com/roles')(user)).toEqual({
      scopes: ['openid', 'profile', 'notes:read', 'notes:read', 'notes:write'],
      roles: ['editor'],
      clientId: user.azp,
      isAppOnly: false,
    });
    expect(auth0Claims()(user).roles).toEqual([]);
  });

  it('marks machine-to-machine tokens app-only', () => {
    expect(auth0Claims()(m2m)).toMatchObject({ scopes: ['notes:read'], isAppOnly: true });
  });

  it('builds the issuer from the domain, with the trailing slash Auth0 uses', () => {
    expect(auth0({ domain: 'https://example.eu.auth0.com/', audience: 'x' }).issuer).toBe(
      'https://example.eu.auth0.com/',
    );
  });
});
