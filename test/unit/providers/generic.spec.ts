import { genericClaims, oidc } from '../../../lib/providers/generic.js';

describe('genericClaims', () => {
  it('reads an RFC 9068 user token', () => {
    expect(
      genericClaims({ sub: 'u1', client_id: 'spa', scope: 'openid notes:read', roles: ['admin'] }),
    ).toEqual({
      scopes: ['openid', 'notes:read'],
      roles: ['admin'],
      clientId: 'spa',
      tenantId: undefined,
      isAppOnly: false,
    });
  });

  it('reads scp as a string or an array, and marks client-credentials tokens app-only', () => {
    expect(genericClaims({ sub: 'svc', client_id: 'svc', scp: ['a', 'b'] })).toMatchObject({
      scopes: ['a', 'b'],
      isAppOnly: true,
    });
    expect(genericClaims({ sub: 'svc', azp: 'svc', scp: 'a b' }).scopes).toEqual(['a', 'b']);
  });

  it('ignores claims of the wrong type instead of failing', () => {
    expect(genericClaims({ sub: 'x', scope: 42, roles: 'admin', client_id: {} })).toEqual({
      scopes: [],
      roles: ['admin'],
      clientId: undefined,
      tenantId: undefined,
      isAppOnly: false,
    });
  });

  it('oidc() can demand RFC 9068 access tokens', () => {
    expect(oidc({ issuer: 'https://idp', audience: 'api', requireAccessTokenType: true }).typ).toBe(
      'at+jwt',
    );
    expect(oidc({ issuer: 'https://idp', audience: 'api' }).typ).toBeUndefined();
  });
});
