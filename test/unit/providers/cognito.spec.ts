import { cognito, cognitoClaims } from '../../../lib/providers/cognito.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { judge } from './judge.js';

const POOL = 'eu-west-1_AbCdEf123';
const ISS = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const WEB_CLIENT = '3n4b5urk1ft4fl3mg5e62d9ado';
const SERVICE_CLIENT = '1example23456789abcdefghij';
const NOW = 1_750_000_000;

/** A user's access token: no aud, the app client in client_id, groups and username. */
const userAccess = {
  sub: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  'cognito:groups': ['notes-admins', 'staff'],
  iss: ISS,
  version: 2,
  client_id: WEB_CLIENT,
  origin_jti: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
  event_id: 'cccccccc-dddd-4eee-8fff-000000000000',
  token_use: 'access',
  scope: 'openid email notes-api/notes.read',
  auth_time: NOW - 60,
  exp: NOW + 3600,
  iat: NOW - 60,
  jti: 'dddddddd-eeee-4fff-8000-111111111111',
  username: 'alice',
};

/** A client-credentials access token: sub is the app client, scopes of the resource server. */
const serviceAccess = {
  sub: SERVICE_CLIENT,
  token_use: 'access',
  scope: 'notes-api/notes.read notes-api/notes.write',
  auth_time: NOW - 5,
  iss: ISS,
  exp: NOW + 3600,
  iat: NOW - 5,
  version: 2,
  jti: 'eeeeeeee-ffff-4000-8111-222222222222',
  client_id: SERVICE_CLIENT,
};

/** The ID token of the same sign-in: same keys' issuer, but aud instead of client_id. */
const idToken = {
  at_hash: 'x8Kd3Lm0Qp2Rs4Tu6Vw8Yz',
  sub: userAccess.sub,
  'cognito:groups': ['notes-admins', 'staff'],
  email_verified: true,
  iss: ISS,
  'cognito:username': 'alice',
  origin_jti: userAccess.origin_jti,
  aud: WEB_CLIENT,
  event_id: userAccess.event_id,
  token_use: 'id',
  auth_time: NOW - 60,
  exp: NOW + 3600,
  iat: NOW - 60,
  jti: 'ffffffff-0000-4111-8222-333333333333',
  email: 'alice@example.com',
};

describe('cognitoClaims', () => {
  it('reads scopes from scope, groups as roles and client_id as the client', () => {
    expect(cognitoClaims(userAccess)).toEqual({
      scopes: ['openid', 'email', 'notes-api/notes.read'],
      roles: ['notes-admins', 'staff'],
      clientId: WEB_CLIENT,
      isAppOnly: false,
    });
  });

  it('marks client-credentials tokens (sub is the client) app-only', () => {
    expect(cognitoClaims(serviceAccess)).toEqual({
      scopes: ['notes-api/notes.read', 'notes-api/notes.write'],
      roles: [],
      clientId: SERVICE_CLIENT,
      isAppOnly: true,
    });
  });
});

describe('cognito preset', () => {
  const preset = cognito({ region: 'eu-west-1', userPoolId: POOL, clientId: WEB_CLIENT });

  it('checks client_id as the audience', () => {
    expect(preset).toMatchObject({
      issuer: ISS,
      audience: WEB_CLIENT,
      audienceClaim: 'client_id',
      claimMapper: cognitoClaims,
    });
  });

  it('reads keys through discovery unless given another discovery or key-set address', () => {
    expect(preset.discoveryUri).toBeUndefined();
    expect(preset.jwksUri).toBeUndefined();
    const proxied = cognito({
      region: 'eu-west-1',
      userPoolId: POOL,
      clientId: WEB_CLIENT,
      discoveryUri: 'http://127.0.0.1:9229/openid-configuration',
    });
    expect(proxied).toMatchObject({
      issuer: ISS,
      discoveryUri: 'http://127.0.0.1:9229/openid-configuration',
    });
    const keysOnly = cognito({
      region: 'eu-west-1',
      userPoolId: POOL,
      clientId: WEB_CLIENT,
      jwksUri: 'http://127.0.0.1:9229/jwks.json',
    });
    expect(keysOnly.jwksUri).toBe('http://127.0.0.1:9229/jwks.json');
  });

  it('refuses ID tokens (token_use id) in its claim rule', () => {
    expect(preset.validateClaims!(userAccess)).toBeUndefined();
    expect(preset.validateClaims!(idToken)).toBe('The token must be a Cognito access token');
    expect(preset.validateClaims!({ ...userAccess, token_use: undefined })).toBe(
      'The token must be a Cognito access token',
    );
  });

  describe('with the verifier’s claim rules', () => {
    const check = judge(
      cognito({ region: 'eu-west-1', userPoolId: POOL, clientId: [WEB_CLIENT, SERVICE_CLIENT] }),
      NOW,
    );

    it('accepts user and client-credentials access tokens, which have no aud', () => {
      const user = check(userAccess) as OidcPrincipal;
      expect(user.subject).toBe(userAccess.sub);
      expect(user.hasRole('notes-admins')).toBe(true);
      expect((check(serviceAccess) as OidcPrincipal).isAppOnly).toBe(true);
    });

    it('refuses the ID token, and an access token of an app client not configured', () => {
      expect(check(idToken)).toBe('audience_mismatch');
      expect(check({ ...idToken, client_id: WEB_CLIENT })).toBe('claim_invalid');
      expect(check({ ...userAccess, client_id: 'someotherclient0000000000' })).toBe(
        'audience_mismatch',
      );
    });
  });
});
