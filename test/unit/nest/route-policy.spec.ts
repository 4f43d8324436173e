import { Reflector } from '@nestjs/core';
import { Public } from '../../../lib/nest/decorators/public.decorator.js';
import { AnyRole, Roles } from '../../../lib/nest/decorators/roles.decorator.js';
import { AnyScope, Scopes } from '../../../lib/nest/decorators/scopes.decorator.js';
import { enforcePolicy, RoutePolicyReader } from '../../../lib/nest/route-policy.js';
import { InsufficientScopeError } from '../../../lib/protocol/errors.js';
import { OidcPrincipal } from '../../../lib/verification/principal.js';

@Scopes('reports:read')
@AnyRole('auditor', 'admin')
class ReportsController {
  @Scopes('reports:export', 'reports:read')
  @AnyScope('format:csv', 'format:pdf')
  export() {}

  list() {}
}

@Public()
class OpenController {
  open() {}

  @Public(false)
  @Roles('admin')
  closed() {}
}

const reader = new RoutePolicyReader(new Reflector());
const policy = (controller: object, name: string) =>
  reader.for(
    controller as never,
    (controller as { prototype: Record<string, () => void> }).prototype[name],
  );

const principal = (scopes: string[], roles: string[] = []) =>
  new OidcPrincipal(
    'u',
    'https://idp',
    ['api'],
    new Date(),
    { scopes, roles, isAppOnly: false },
    {},
  );

describe('RoutePolicyReader', () => {
  it('merges controller and handler @Scopes (all required, no duplicates) and keeps @AnyScope groups', () => {
    expect(policy(ReportsController, 'export')).toEqual({
      isPublic: false,
      scopes: [['reports:export'], ['reports:read'], ['format:csv', 'format:pdf']],
      roles: [['auditor', 'admin']],
    });
  });

  it('gives handlers their controller requirements', () => {
    expect(policy(ReportsController, 'list')).toEqual({
      isPublic: false,
      scopes: [['reports:read']],
      roles: [['auditor', 'admin']],
    });
  });

  it('opens handlers of a @Public() controller, unless the handler says @Public(false)', () => {
    expect(policy(OpenController, 'open').isPublic).toBe(true);
    expect(policy(OpenController, 'closed')).toEqual({
      isPublic: false,
      scopes: [],
      roles: [['admin']],
    });
  });

  it('reads metadata once per handler', () => {
    expect(policy(ReportsController, 'export')).toBe(policy(ReportsController, 'export'));
  });
});

describe('enforcePolicy', () => {
  const exportPolicy = policy(ReportsController, 'export');

  it('passes when every requirement is met by at least one item', () => {
    expect(() =>
      enforcePolicy(
        exportPolicy,
        principal(['reports:read', 'reports:export', 'format:pdf'], ['auditor']),
      ),
    ).not.toThrow();
  });

  it('names the first unmet scope requirement', () => {
    let error: unknown;
    try {
      enforcePolicy(exportPolicy, principal(['reports:read', 'reports:export'], ['auditor']));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      reason: 'insufficient_scope',
      required: ['format:csv', 'format:pdf'],
    });
  });

  it('matches scopes exactly', () => {
    const p = principal(
      ['reports:reader', 'reports:export', 'format:csv', 'REPORTS:READ'],
      ['admin'],
    );
    expect(() => enforcePolicy(exportPolicy, p)).toThrow(/reports:read/);
  });

  it('reports missing roles as insufficient_role', () => {
    expect(() =>
      enforcePolicy(
        exportPolicy,
        principal(['reports:read', 'reports:export', 'format:csv'], ['viewer']),
      ),
    ).toThrow(expect.objectContaining({ reason: 'insufficient_role' }) as unknown as Error);
  });
});

describe('decorator arguments', () => {
  it.each([
    [() => Scopes(), /needs at least one value/],
    [() => Scopes('notes:read notes:write'), /without spaces/],
    [() => AnyScope(''), /non-empty strings/],
    [() => Roles('a', 42 as unknown as string), /non-empty strings/],
  ])('refuses bad values at definition time (%#)', (make, message) => {
    expect(make).toThrow(message);
  });
});
