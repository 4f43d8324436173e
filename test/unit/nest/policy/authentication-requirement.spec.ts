import { Reflector } from '@nestjs/core';
import {
  describeAuthentication,
  enforceAuthentication,
  openApiAuthentication,
} from '../../../../lib/nest/policy/authentication-requirement.js';
import { RequireAuthentication } from '../../../../lib/nest/policy/decorators/require-authentication.decorator.js';
import { Scopes } from '../../../../lib/nest/policy/decorators/scopes.decorator.js';
import { enforcePolicy, RoutePolicyReader } from '../../../../lib/nest/policy/route-policy.js';
import {
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
} from '../../../../lib/protocol/errors/errors.js';
import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';
import { thrown } from '../../../support/thrown.js';

const NOW = 1_750_000_000;
const clock = { nowSeconds: NOW, toleranceSeconds: 0 };

const principal = (claims: Record<string, unknown>, scopes: string[] = []) =>
  new OidcPrincipal(
    'alice',
    'https://idp.example',
    ['api'],
    new Date((NOW + 60) * 1000),
    { scopes, roles: [], isAppOnly: false },
    claims,
  );

const refusal = (run: () => void) => thrown(InsufficientUserAuthenticationError, run);

@RequireAuthentication({ acr: ['mfa'] })
class ExportController {
  @RequireAuthentication({ maxAgeSeconds: 300 })
  recent() {}

  inherited() {}

  @Scopes('notes:read')
  @RequireAuthentication({ acr: ['mfa', 'phr'], maxAgeSeconds: 300 })
  both() {}
}

const reader = new RoutePolicyReader(new Reflector());
const policy = (name: 'recent' | 'inherited' | 'both') =>
  reader.for(ExportController, ExportController.prototype[name] as never);

describe('@RequireAuthentication', () => {
  it("replaces the controller's requirement with the handler's as a whole", () => {
    expect(policy('recent').authentication).toEqual({ maxAgeSeconds: 300 });
    expect(policy('inherited').authentication).toEqual({ acr: ['mfa'] });
    expect(policy('both')).toMatchObject({
      scopes: [['notes:read']],
      authentication: { acr: ['mfa', 'phr'], maxAgeSeconds: 300 },
    });
  });

  it.each([
    [{}, 'needs acr values, maxAgeSeconds or both'],
    [{ acr: [] }, 'acr must be a non-empty list'],
    [{ acr: ['multi factor'] }, 'without spaces, got "multi factor"'],
    [{ acr: [''] }, 'non-empty strings'],
    [{ maxAgeSeconds: -1 }, 'whole number >= 0'],
    [{ maxAgeSeconds: 1.5 }, 'whole number >= 0'],
    [{ maxAgeSeconds: Number.NaN }, 'whole number >= 0'],
  ])('refuses %j at class definition', (requirement, message) => {
    expect(() => RequireAuthentication(requirement)).toThrow(message);
  });
});

describe('enforceAuthentication', () => {
  it('admits any one of the acr values', () => {
    const requirement = { acr: ['mfa', 'phr'] };
    expect(() =>
      enforceAuthentication(requirement, principal({ acr: 'phr' }), clock),
    ).not.toThrow();
    const err = refusal(() => enforceAuthentication(requirement, principal({ acr: 'pwd' }), clock));
    expect(err.message).toBe('This resource requires one of the authentication contexts mfa, phr');
    expect(err).toMatchObject({
      reason: 'insufficient_user_authentication',
      acrValues: ['mfa', 'phr'],
    });
  });

  it('matches acr values exactly and never reads amr as acr', () => {
    const who = principal({ acr: 'MFA', amr: ['mfa'] });
    refusal(() => enforceAuthentication({ acr: ['mfa'] }, who, clock));
  });

  it('admits an authentication exactly maxAgeSeconds old and refuses one second older', () => {
    const requirement = { maxAgeSeconds: 300 };
    expect(() =>
      enforceAuthentication(requirement, principal({ auth_time: NOW - 300 }), clock),
    ).not.toThrow();
    const err = refusal(() =>
      enforceAuthentication(requirement, principal({ auth_time: NOW - 301 }), clock),
    );
    expect(err.message).toBe(
      'This resource requires an authentication within the last 300 seconds',
    );
    expect(err.maxAgeSeconds).toBe(300);
  });

  it('widens the age window by the clock tolerance', () => {
    const who = principal({ auth_time: NOW - 330 });
    const tolerant = { nowSeconds: NOW, toleranceSeconds: 30 };
    expect(() => enforceAuthentication({ maxAgeSeconds: 300 }, who, tolerant)).not.toThrow();
    refusal(() => enforceAuthentication({ maxAgeSeconds: 299 }, who, tolerant));
  });

  it('refuses an auth_time later than now beyond the tolerance', () => {
    const tolerant = { nowSeconds: NOW, toleranceSeconds: 30 };
    expect(() =>
      enforceAuthentication({ maxAgeSeconds: 300 }, principal({ auth_time: NOW + 30 }), tolerant),
    ).not.toThrow();
    const err = refusal(() =>
      enforceAuthentication({ maxAgeSeconds: 300 }, principal({ auth_time: NOW + 31 }), tolerant),
    );
    expect(err.message).toBe('This resource requires a token whose auth_time is not in the future');
  });

  it('refuses a token that does not say when the user authenticated', () => {
    const err = refusal(() =>
      enforceAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 }, principal({ acr: 'mfa' }), clock),
    );
    expect(err.message).toBe(
      'This resource requires a token that says when the user authenticated',
    );
    expect(err).toMatchObject({ acrValues: ['mfa'], maxAgeSeconds: 300 });
  });
});

describe('enforcePolicy with a step-up requirement', () => {
  it('checks scopes first: a token without the scope gains nothing by stepping up', () => {
    expect(() => enforcePolicy(policy('both'), principal({}), clock)).toThrow(
      InsufficientScopeError,
    );
  });

  it('admits a recent mfa authentication with the scope, and refuses a stale one', () => {
    const recent = principal({ acr: 'mfa', auth_time: NOW - 10 }, ['notes:read']);
    expect(() => enforcePolicy(policy('both'), recent, clock)).not.toThrow();
    const stale = principal({ acr: 'mfa', auth_time: NOW - 3600 }, ['notes:read']);
    refusal(() => enforcePolicy(policy('both'), stale, clock));
  });
});

describe('how the requirement is shown', () => {
  it('reads in the route audit as acr alternatives and an age', () => {
    expect(describeAuthentication({ acr: ['mfa', 'phr'], maxAgeSeconds: 300 })).toBe(
      'authentication acr (mfa | phr) within 300s',
    );
    expect(describeAuthentication({ acr: ['mfa'] })).toBe('authentication acr mfa');
    expect(describeAuthentication({ maxAgeSeconds: 0 })).toBe('authentication within 0s');
  });

  it('becomes RFC 9470 parameter names in OpenAPI, leaving out what is not required', () => {
    expect(openApiAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })).toEqual({
      acr_values: ['mfa'],
      max_age: 300,
    });
    expect(openApiAuthentication({ maxAgeSeconds: 60 })).toStrictEqual({ max_age: 60 });
  });
});
