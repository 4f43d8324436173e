import { okta, oktaClaims } from '../../../lib/providers/okta.js';

describe('Okta', () => {
  it('reads scp arrays and cid', () => {
    const token = {
      iss: 'https://dev-123.okta.com/oauth2/default',
      sub: 'alice@example.com',
      aud: 'api://default',
      cid: '0oa1b2c3d4e5f6g7h8i9',
      uid: '00u1a2b3c4d5e6f7g8h9',
      scp: ['openid', 'notes:read'],
      groups: ['Everyone', 'Admins'],
    };
    expect(oktaClaims(token)).toEqual({
      scopes: ['openid', 'notes:read'],
      roles: ['Everyone', 'Admins'],
      clientId: token.cid,
      isAppOnly: false,
    });
    expect(oktaClaims({ ...token, sub: token.cid }).isAppOnly).toBe(true);
  });

  it('defaults to the default authorization server', () => {
    expect(okta({ domain: 'dev-123.okta.com' })).toMatchObject({
      issuer: 'https://dev-123.okta.com/oauth2/default',
      audience: 'api://default',
    });
  });
});
