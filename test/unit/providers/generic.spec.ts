import { genericClaims, oidc } from '../../../lib/providers/generic.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { judge } from './judge.js';

const ISS = 'https://auth.example.com';
const NOW = 1_750_000_000;

/** An RFC 9068 access token issued to a user through the notes-spa client. */
const userToken = {
  iss: ISS,
  exp: NOW + 300,
  aud: 'https://notes.example.com',
  sub: '5ba552d67',
  client_id: 'notes-spa',
  iat: NOW - 10,
  jti: 'dbe39bf3a3ba4238a513f51d6e1691c4',
  scope: 'openid notes:read notes:write',
  auth_time: NOW - 60,
  acr: 'urn:mace:incommon:iap:silver',
  roles: ['editor'],
};

/** An RFC 9068 client-credentials token: sub is the client itself (§2.2). */
const clientToken = {
  iss: ISS,
  exp: NOW + 300,
  aud: 'https://notes.example.com',
  sub: 'nightly-export',
  client_id: 'nightly-export',
  iat: NOW - 10,
  jti: '6f1e3c5a7b9d4e2f8a0c1b3d5e7f9a1c',
  scope: 'notes:read',
};

describe('genericClaims', () => {
  it('reads an RFC 9068 user token', () => {
    expect(genericClaims(userToken)).toEqual({
      scopes: ['openid', 'notes:read', 'notes:write'],
      roles: ['editor'],
      clientId: 'notes-spa',
      tenantId: undefined,
      isAppOnly: false,
    });
  });

  it('marks an RFC 9068 client-credentials token app-only', () => {
    expect(genericClaims(clientToken)).toMatchObject({
      scopes: ['notes:read'],
      clientId: 'nightly-export',
      isAppOnly: true,
    });
  });

  it('reads scp as a string or an array, adding to scope, and azp when client_id is absent', () => {
    expect(genericClaims({ sub: 'u', azp: 'spa', scope: 'a', scp: ['b', 'c'] })).toMatchObject({
      scopes: ['a', 'b', 'c'],
      clientId: 'spa',
    });
    expect(genericClaims({ sub: 'svc', azp: 'svc', scp: 'x  y' })).toMatchObject({
      scopes: ['x', 'y'],
      isAppOnly: true,
    });
  });

  it('prefers client_id over azp and passes a tid through', () => {
    expect(genericClaims({ sub: 'u', client_id: 'one', azp: 'two', tid: 't-1' })).toMatchObject({
      clientId: 'one',
      tenantId: 't-1',
    });
  });

  it('ignores claims of the wrong type instead of failing', () => {
    expect(
      genericClaims({ sub: 'x', scope: 42, scp: { a: 1 }, roles: [1, '', 'admin'], client_id: {} }),
    ).toEqual({
      scopes: [],
      roles: ['admin'],
      clientId: undefined,
      tenantId: undefined,
      isAppOnly: false,
    });
  });
});

describe('oidc preset', () => {
  it('builds an issuer entry with the generic mapper, and can demand RFC 9068 access tokens', () => {
    expect(oidc({ issuer: ISS, audience: 'api', requireAccessTokenType: true })).toEqual({
      issuer: ISS,
      audience: 'api',
      claimMapper: genericClaims,
      typ: 'at+jwt',
    });
    expect(oidc({ issuer: ISS, audience: 'api' }).typ).toBeUndefined();
  });

  it('accepts its tokens under the verifier’s claim rules', () => {
    const check = judge(oidc({ issuer: ISS, audience: 'https://notes.example.com' }), NOW);
    expect((check(userToken) as OidcPrincipal).hasScope('notes:write')).toBe(true);
    expect((check(clientToken) as OidcPrincipal).isAppOnly).toBe(true);
    expect(check({ ...userToken, aud: 'https://other.example.com' })).toBe('audience_mismatch');
  });
});
