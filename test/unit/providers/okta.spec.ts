import { okta, oktaClaims } from '../../../lib/providers/okta.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { judge } from './judge.js';

const ISS = 'https://dev-12345678.okta.com/oauth2/default';
const SPA = '0oa9x8w7v6u5t4s3r2q1';
const SERVICE = '0oa1b2c3d4e5f6g7h8i9';
const NOW = 1_750_000_000;

/** An access token of Okta's default custom authorization server, with a groups claim added. */
const userToken = {
  ver: 1,
  jti: 'AT.kq2VjGvO2P6X0m8qk4nHh9XfVdYl3bTqR1wZsE7cUaM',
  iss: ISS,
  aud: 'api://default',
  iat: NOW - 30,
  exp: NOW + 3600,
  cid: SPA,
  uid: '00u1a2b3c4d5e6f7g8h9',
  scp: ['openid', 'profile', 'notes.read'],
  auth_time: NOW - 60,
  sub: 'alice@example.com',
  groups: ['Everyone', 'Notes Admins'],
};

/** A client-credentials token: no uid, and sub is the client id. */
const serviceToken = {
  ver: 1,
  jti: 'AT.0sTQ3e4vD2bX9aW8cY7uZ6iF5hG4jK3lM2nN1oP0qR',
  iss: ISS,
  aud: 'api://default',
  iat: NOW - 30,
  exp: NOW + 3600,
  cid: SERVICE,
  scp: ['notes.read', 'notes.write'],
  sub: SERVICE,
};

describe('oktaClaims', () => {
  it('reads scopes from the scp array, groups as roles and cid as the client', () => {
    expect(oktaClaims(userToken)).toEqual({
      scopes: ['openid', 'profile', 'notes.read'],
      roles: ['Everyone', 'Notes Admins'],
      clientId: SPA,
      isAppOnly: false,
    });
  });

  it('marks client-credentials tokens (sub is cid) app-only', () => {
    expect(oktaClaims(serviceToken)).toEqual({
      scopes: ['notes.read', 'notes.write'],
      roles: [],
      clientId: SERVICE,
      isAppOnly: true,
    });
  });

  it('ignores the generic scope and client_id claims Okta does not use', () => {
    expect(oktaClaims({ sub: 'x', scope: 'notes.read', client_id: 'x' })).toEqual({
      scopes: [],
      roles: [],
      clientId: undefined,
      isAppOnly: false,
    });
  });
});

describe('okta preset', () => {
  it('defaults to the default authorization server and its api://default audience', () => {
    expect(okta({ domain: 'dev-12345678.okta.com' })).toMatchObject({
      issuer: ISS,
      audience: 'api://default',
      claimMapper: oktaClaims,
    });
  });

  it('takes another authorization server, audience, and a domain written as a URL', () => {
    expect(
      okta({
        domain: 'https://login.example.com/',
        authorizationServerId: 'aus1a2b3c4d5e6f7g8h9',
        audience: 'https://notes.example.com',
      }),
    ).toMatchObject({
      issuer: 'https://login.example.com/oauth2/aus1a2b3c4d5e6f7g8h9',
      audience: 'https://notes.example.com',
    });
  });

  it('accepts its tokens under the verifier’s claim rules, and refuses other audiences', () => {
    const check = judge(okta({ domain: 'dev-12345678.okta.com' }), NOW);
    expect((check(userToken) as OidcPrincipal).hasScope('notes.read')).toBe(true);
    expect((check(serviceToken) as OidcPrincipal).isAppOnly).toBe(true);
    expect(check({ ...userToken, aud: 'api://other' })).toBe('audience_mismatch');
  });
});
