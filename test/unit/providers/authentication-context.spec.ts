import { auth0Claims } from '../../../lib/providers/auth0.js';
import {
  entraAuthenticationContext,
  keycloakAuthenticationContext,
} from '../../../lib/providers/authentication-context.js';
import { azureAdClaims } from '../../../lib/providers/azure-ad.js';
import { keycloakClaims } from '../../../lib/providers/keycloak.js';
import { standardAuthenticationContext } from '../../../lib/core/claims/authentication-context.js';
import { OidcAuthConfigError } from '../../../lib/core/config/config-error.js';
import { OidcPrincipal } from '../../../lib/core/claims/principal.js';

const NOW = 1_750_000_000;

describe('standardAuthenticationContext', () => {
  it('reads acr as one value, amr as a list and auth_time as a number', () => {
    expect(
      standardAuthenticationContext({ acr: 'mfa', amr: ['pwd', 'otp'], auth_time: NOW }),
    ).toEqual({ acr: ['mfa'], amr: ['pwd', 'otp'], authTime: NOW });
  });

  it('reads nothing out of absent or ill-typed claims', () => {
    expect(standardAuthenticationContext({})).toEqual({ acr: [], amr: [], authTime: undefined });
    expect(
      standardAuthenticationContext({ acr: ['mfa'], amr: 7, auth_time: '1750000000' }),
    ).toEqual({ acr: [], amr: [], authTime: undefined });
  });

  it('is what a principal reports when its mapper supplies no context (Auth0)', () => {
    const claims = {
      sub: 'auth0|123',
      acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
      amr: ['mfa'],
      auth_time: NOW,
    };
    const principal = new OidcPrincipal(
      'auth0|123',
      'https://example.eu.auth0.com/',
      ['api'],
      new Date((NOW + 60) * 1000),
      auth0Claims()(claims),
      claims,
    );
    expect(principal.authContext).toEqual({
      acr: ['http://schemas.openid.net/pape/policies/2007/06/multi-factor'],
      amr: ['mfa'],
      authTime: NOW,
    });
  });
});

describe('entraAuthenticationContext', () => {
  it('takes the satisfied conditional-access contexts from acrs, not the v1 acr flag', () => {
    const claims = { acr: '1', acrs: ['c1', 'c3'], amr: ['pwd', 'mfa'], auth_time: NOW };
    expect(entraAuthenticationContext(claims)).toEqual({
      acr: ['c1', 'c3'],
      amr: ['pwd', 'mfa'],
      authTime: NOW,
    });
    expect(azureAdClaims(claims).authContext).toEqual(entraAuthenticationContext(claims));
  });

  it('has no context without acrs', () => {
    expect(entraAuthenticationContext({ acr: '1' }).acr).toEqual([]);
  });
});

describe('keycloakAuthenticationContext', () => {
  const named = keycloakAuthenticationContext({ pwd: 1, mfa: 2, hardware: 3 });

  it('lets a level satisfy every named level at or below it, by name and number', () => {
    expect([...named({ acr: '2' }).acr].sort()).toEqual(['1', '2', 'mfa', 'pwd']);
    expect([...named({ acr: 'mfa' }).acr].sort()).toEqual(['1', '2', 'mfa', 'pwd']);
  });

  it('keeps the remembered-session level 0 from satisfying a named level', () => {
    expect(named({ acr: '0' }).acr).toEqual(['0']);
  });

  it('reads a name the mapping does not know as it is, and prototype keys as no level', () => {
    expect(named({ acr: 'gold' }).acr).toEqual(['gold']);
    expect(named({ acr: 'constructor' }).acr).toEqual(['constructor']);
  });

  it('refuses a mapping to anything but whole levels at start-up', () => {
    expect(() => keycloakAuthenticationContext({ mfa: 1.5 })).toThrow(
      'keycloak.acrLevels must map names to whole numbers >= 0, got "mfa": 1.5',
    );
    expect(() => keycloakAuthenticationContext({ mfa: '2' as unknown as number })).toThrow(
      OidcAuthConfigError,
    );
  });

  it('reads bare levels without a mapping, and is what keycloakClaims maps', () => {
    const claims = { acr: '1', auth_time: NOW, amr: ['pwd'] };
    expect(keycloakAuthenticationContext()(claims)).toEqual({
      acr: ['1'],
      amr: ['pwd'],
      authTime: NOW,
    });
    expect(keycloakClaims('notes-api', { mfa: 2 })({ acr: '2' }).authContext?.acr).toContain('mfa');
  });
});
