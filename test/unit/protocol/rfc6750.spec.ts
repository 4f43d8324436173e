import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeysUnavailableError,
  MissingTokenError,
} from '../../../lib/protocol/errors.js';
import { toBearerErrorResponse } from '../../../lib/protocol/rfc6750.js';

describe('toBearerErrorResponse', () => {
  it('answers missing credentials with 401 and a challenge without an error code', () => {
    expect(toBearerErrorResponse(new MissingTokenError(), { realm: 'api' })).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
      body: {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'This resource requires a bearer token',
      },
    });
  });

  it('answers a bare Bearer challenge when there is no realm', () => {
    expect(toBearerErrorResponse(new MissingTokenError()).headers['WWW-Authenticate']).toBe(
      'Bearer',
    );
  });

  it('answers invalid_request with 400', () => {
    const res = toBearerErrorResponse(new InvalidRequestError('Two tokens'), { realm: 'api' });
    expect(res.status).toBe(400);
    expect(res.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="invalid_request", error_description="Two tokens"',
    );
  });

  it('answers invalid_token with 401 and strips characters RFC 6750 forbids in descriptions', () => {
    const res = toBearerErrorResponse(
      new InvalidTokenError('signature_invalid', 'Bad "quoted" \\ signature, naïve\n'),
      { realm: 'api' },
    );
    expect(res.status).toBe(401);
    expect(res.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Bad quoted  signature, nave"',
    );
    expect(res.body.error).toBe('Unauthorized');
  });

  it('answers insufficient_scope with 403 naming the scopes, and no scope for roles', () => {
    const scope = toBearerErrorResponse(
      new InsufficientScopeError('insufficient_scope', ['a:read', 'a:all']),
    );
    expect(scope.status).toBe(403);
    expect(scope.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="This resource requires one of the scopes a:read, a:all", scope="a:read a:all"',
    );
    const role = toBearerErrorResponse(new InsufficientScopeError('insufficient_role', ['admin']));
    expect(role.headers['WWW-Authenticate']).not.toContain('scope="');
    expect(role.body.message).toBe('This resource requires the role admin');
  });

  it('adds resource_metadata to challenges when given', () => {
    const res = toBearerErrorResponse(new MissingTokenError(), {
      realm: 'api',
      resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource',
    });
    expect(res.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", resource_metadata="https://api.example/.well-known/oauth-protected-resource"',
    );
  });

  it('answers unavailable keys with 503 and Retry-After, without a challenge', () => {
    const res = toBearerErrorResponse(new KeysUnavailableError('https://idp', 7));
    expect(res).toEqual({
      status: 503,
      headers: { 'Retry-After': '7' },
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The signing keys of the token issuer are temporarily unavailable',
      },
    });
  });
});
