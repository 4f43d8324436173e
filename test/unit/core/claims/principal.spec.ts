import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';

const principal = (expiresAt: Date) =>
  new OidcPrincipal(
    'alice',
    'https://idp.example',
    ['api'],
    expiresAt,
    { scopes: ['read'], roles: [], isAppOnly: false },
    { sub: 'alice' },
  );

describe('OidcPrincipal.toJSON', () => {
  it('prints the expiry as an ISO date', () => {
    expect(JSON.parse(JSON.stringify(principal(new Date(0))))).toMatchObject({
      subject: 'alice',
      scopes: ['read'],
      expiresAt: '1970-01-01T00:00:00.000Z',
    });
  });

  it('does not throw for a principal built by hand with an invalid Date', () => {
    expect(principal(new Date(9e12 * 1000)).toJSON().expiresAt).toBeNull();
  });
});
