import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from '../../../../lib/nest/policy/decorators/public.decorator.js';
import { AnyRole, Roles } from '../../../../lib/nest/policy/decorators/roles.decorator.js';
import { AnyScope, Scopes } from '../../../../lib/nest/policy/decorators/scopes.decorator.js';
import {
  enforcePolicy,
  RoutePolicyReader,
  type RoutePolicy,
} from '../../../../lib/nest/policy/route-policy.js';
import { InsufficientScopeError } from '../../../../lib/protocol/errors/errors.js';
import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';

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

class MixedController {
  @Public()
  health() {}

  @Roles('admin', 'ops')
  @AnyRole('eu', 'us')
  restart() {}

  unprotected() {}
}

@Roles('staff')
@AnyScope('notes:read', 'notes:all')
class NotesController {
  @Roles('editor', 'staff')
  @AnyScope('notes:write', 'notes:all')
  edit() {}
}

const reader = new RoutePolicyReader(new Reflector());
type Controller = { prototype: object; name: string };
const handlerOf = (controller: Controller, name: string) =>
  (controller.prototype as Record<string, (...args: unknown[]) => unknown>)[name];
// The requirements alone: what the challenge says of them is tested on its own below.
const policy = (controller: Controller, name: string): RoutePolicy => {
  const { challenge: _challenge, ...requirements } = reader.for(
    controller as never,
    handlerOf(controller, name),
  );
  return requirements;
};

const principal = (scopes: string[], roles: string[] = []) =>
  new OidcPrincipal(
    'alice',
    'https://idp.example',
    ['api'],
    new Date(Date.now() + 60_000),
    { scopes, roles, isAppOnly: false },
    {},
  );

function refusal(p: RoutePolicy, who: OidcPrincipal): InsufficientScopeError {
  try {
    enforcePolicy(p, who);
  } catch (err) {
    expect(err).toBeInstanceOf(InsufficientScopeError);
    return err as InsufficientScopeError;
  }
  throw new Error('expected a refusal');
}

describe('RoutePolicyReader', () => {
  it('merges controller and handler @Scopes into all-of requirements, without duplicates', () => {
    expect(policy(ReportsController, 'export')).toEqual({
      isPublic: false,
      scopes: [['reports:export'], ['reports:read'], ['format:csv', 'format:pdf']],
      roles: [['auditor', 'admin']],
    });
  });

  it('gives a handler without decorators its controller’s requirements', () => {
    expect(policy(ReportsController, 'list')).toEqual({
      isPublic: false,
      scopes: [['reports:read']],
      roles: [['auditor', 'admin']],
    });
  });

  it('opens every handler of a @Public() controller', () => {
    expect(policy(OpenController, 'open')).toEqual({ isPublic: true, scopes: [], roles: [] });
  });

  it('lets a handler’s @Public(false) override its controller’s @Public()', () => {
    expect(policy(OpenController, 'closed')).toEqual({
      isPublic: false,
      scopes: [],
      roles: [['admin']],
    });
  });

  it('opens a single handler with @Public() and leaves its neighbours protected', () => {
    expect(policy(MixedController, 'health').isPublic).toBe(true);
    expect(policy(MixedController, 'unprotected')).toEqual({
      isPublic: false,
      scopes: [],
      roles: [],
    });
  });

  it('reads @Roles as all-of and @AnyRole as one any-of group', () => {
    expect(policy(MixedController, 'restart')).toEqual({
      isPublic: false,
      scopes: [],
      roles: [['admin'], ['ops'], ['eu', 'us']],
    });
  });

  it('keeps a controller’s and a handler’s @AnyScope/@AnyRole as separate groups, handler first', () => {
    expect(policy(NotesController, 'edit')).toEqual({
      isPublic: false,
      scopes: [
        ['notes:write', 'notes:all'],
        ['notes:read', 'notes:all'],
      ],
      roles: [['editor'], ['staff']],
    });
  });

  it('reads metadata once per handler and caches the result', () => {
    const read = (name: string) =>
      reader.for(ReportsController as never, handlerOf(ReportsController, name));
    const first = read('export');
    expect(read('export')).toBe(first);
    expect(read('list')).not.toBe(first);
  });

  it('keys the cache by controller too: one handler function under two controllers', () => {
    class A {}
    @Public()
    class B {}
    const shared = function handler() {};
    expect(reader.for(A as never, shared).isPublic).toBe(false);
    expect(reader.for(B as never, shared).isPublic).toBe(true);
  });

  it('reads the policy of an ExecutionContext’s class and handler', () => {
    const context = {
      getClass: () => ReportsController,
      getHandler: () => ReportsController.prototype.export,
    } as unknown as ExecutionContext;
    expect(reader.of(context)).toBe(
      reader.for(ReportsController as never, ReportsController.prototype.export),
    );
  });
});

describe('enforcePolicy', () => {
  const exportPolicy = policy(ReportsController, 'export');

  it('passes when every requirement is met by at least one of its items', () => {
    expect(() =>
      enforcePolicy(
        exportPolicy,
        principal(['reports:read', 'reports:export', 'format:pdf'], ['admin']),
      ),
    ).not.toThrow();
  });

  it('passes a route without requirements for any authenticated caller', () => {
    expect(() =>
      enforcePolicy(policy(MixedController, 'unprotected'), principal([])),
    ).not.toThrow();
  });

  it('names the first unmet scope requirement, with its alternatives', () => {
    const err = refusal(exportPolicy, principal(['reports:read', 'reports:export'], ['auditor']));
    expect(err.reason).toBe('insufficient_scope');
    expect(err.required).toEqual(['format:csv', 'format:pdf']);
    expect(err.message).toBe('This resource requires one of the scopes format:csv, format:pdf');
  });

  it('names a single missing scope', () => {
    const err = refusal(exportPolicy, principal(['reports:read', 'format:csv'], ['auditor']));
    expect(err.required).toEqual(['reports:export']);
    expect(err.message).toBe('This resource requires the scope reports:export');
  });

  it('checks scopes before roles', () => {
    const err = refusal(exportPolicy, principal([], []));
    expect(err.reason).toBe('insufficient_scope');
    expect(err.required).toEqual(['reports:export']);
  });

  it('reports missing roles as insufficient_role', () => {
    const err = refusal(
      exportPolicy,
      principal(['reports:read', 'reports:export', 'format:csv'], ['viewer']),
    );
    expect(err.reason).toBe('insufficient_role');
    expect(err.required).toEqual(['auditor', 'admin']);
    expect(err.message).toBe('This resource requires one of the roles auditor, admin');
  });

  it('requires every @Roles role, not just one', () => {
    const restart = policy(MixedController, 'restart');
    expect(refusal(restart, principal([], ['admin', 'eu'])).required).toEqual(['ops']);
    expect(() => enforcePolicy(restart, principal([], ['admin', 'ops', 'us']))).not.toThrow();
  });

  it.each([
    ['a longer scope', 'notes:writer'],
    ['a shorter scope', 'notes:writ'],
    ['another case', 'NOTES:WRITE'],
    ['a prefix of it', 'notes'],
    ['a wildcard', 'notes:*'],
  ])('matches exactly: %s (%s) does not satisfy notes:write', (_what, granted) => {
    const p: RoutePolicy = { isPublic: false, scopes: [['notes:write']], roles: [] };
    expect(refusal(p, principal([granted, 'notes:read'])).required).toEqual(['notes:write']);
    expect(() => enforcePolicy(p, principal(['notes:write']))).not.toThrow();
  });

  it('matches roles exactly too', () => {
    const p: RoutePolicy = { isPublic: false, scopes: [], roles: [['admin']] };
    expect(refusal(p, principal([], ['Admin', 'administrator'])).reason).toBe('insufficient_role');
  });
});

describe('decorator arguments', () => {
  it.each([
    ['@Scopes()', () => Scopes(), '@Scopes() needs at least one value'],
    ['@AnyScope()', () => AnyScope(), '@AnyScope() needs at least one value'],
    ['@Roles()', () => Roles(), '@Roles() needs at least one value'],
    ['@AnyRole()', () => AnyRole(), '@AnyRole() needs at least one value'],
    [
      "@Scopes('')",
      () => Scopes(''),
      '@Scopes() values must be non-empty strings without spaces, got ""',
    ],
    [
      "@Scopes('notes:read notes:write')",
      () => Scopes('notes:read notes:write'),
      '@Scopes() values must be non-empty strings without spaces, got "notes:read notes:write"',
    ],
    [
      "@AnyScope('a', ' b')",
      () => AnyScope('a', ' b'),
      '@AnyScope() values must be non-empty strings without spaces, got " b"',
    ],
    [
      "@Roles('admin\\t')",
      () => Roles('admin\t'),
      '@Roles() values must be non-empty strings without spaces, got "admin\\t"',
    ],
    [
      "@AnyRole('ops\\n')",
      () => AnyRole('ops\n'),
      '@AnyRole() values must be non-empty strings without spaces, got "ops\\n"',
    ],
    [
      '@Roles(42)',
      () => Roles('a', 42 as unknown as string),
      '@Roles() values must be non-empty strings without spaces, got 42',
    ],
  ])('%s throws a TypeError at definition time', (_what, make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it('accepts the usual scope and role shapes', () => {
    expect(() => Scopes('notes:read', 'api://notes/Notes.Read', 'https://api/x.y')).not.toThrow();
    expect(() => Roles('Notes.Admin', 'service-account-x')).not.toThrow();
  });
});

describe('stacked decorators on one target', () => {
  @Scopes('c:1')
  @Scopes('c:2')
  @AnyRole('r:a', 'r:b')
  @AnyRole('r:c', 'r:d')
  class Stacked {
    @Scopes('a')
    @Scopes('b')
    @AnyScope('x', 'y')
    @AnyScope('z', 'w')
    @Roles('admin')
    @Roles('auditor')
    handler() {}
  }

  it('keeps every requirement instead of the last one', () => {
    const stacked = new RoutePolicyReader(new Reflector()).for(Stacked, Stacked.prototype.handler);
    expect(stacked.scopes).toEqual(
      expect.arrayContaining([['a'], ['b'], ['c:1'], ['c:2'], ['x', 'y'], ['z', 'w']]),
    );
    expect(stacked.scopes).toHaveLength(6);
    expect(stacked.roles).toEqual(
      expect.arrayContaining([['admin'], ['auditor'], ['r:a', 'r:b'], ['r:c', 'r:d']]),
    );
    expect(stacked.roles).toHaveLength(4);
  });
});

describe('the challenge of a route', () => {
  const challengeOf = (controller: Controller, name: string) =>
    reader.for(controller as never, handlerOf(controller, name)).challenge;

  it('names every @Scopes scope and the first alternative of each @AnyScope, once each', () => {
    // NotesController.edit: @AnyScope('notes:write', 'notes:all') and the controller's
    // @AnyScope('notes:read', 'notes:all').
    expect(challengeOf(NotesController, 'edit')).toEqual({
      scope: 'notes:write notes:read',
      resourceMetadata: undefined,
    });
    expect(challengeOf(ReportsController, 'export')?.scope).toBe(
      'reports:export reports:read format:csv',
    );
  });

  it('names no scope for a route that requires none', () => {
    expect(challengeOf(MixedController, 'restart')?.scope).toBeUndefined();
  });
});
