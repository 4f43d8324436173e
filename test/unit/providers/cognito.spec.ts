import { cognito, cognitoClaims } from '../../../lib/providers/cognito.js';

describe('Cognito', () => {
  const userAccess = {
    sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'cognito:groups': ['admin'],
    iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
    client_id: '3n4b5urk1ft4fl3mg5e62d9ado',
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin notes/read',
    username: 'alice',
  };

  it('reads groups as roles and client_id as the client', () => {
    expect(cognitoClaims(userAccess)).toEqual({
      scopes: ['aws.cognito.signin.user.admin', 'notes/read'],
      roles: ['admin'],
      clientId: userAccess.client_id,
      isAppOnly: false,
    });
  });

  it('marks client-credentials tokens (sub is the client) app-only', () => {
    const machine = {
      sub: 'svc-client',
      client_id: 'svc-client',
      token_use: 'access',
      scope: 'notes/read',
    };
    expect(cognitoClaims(machine).isAppOnly).toBe(true);
  });

  it('checks the audience against client_id and accepts access tokens only', () => {
    const preset = cognito({
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf',
      clientId: 'abc',
    });
    expect(preset).toMatchObject({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
      audienceClaim: 'client_id',
      audience: 'abc',
    });
    expect(preset.validateClaims!(userAccess)).toBeUndefined();
    expect(preset.validateClaims!({ ...userAccess, token_use: 'id' })).toMatch(/access token/);
  });
});
