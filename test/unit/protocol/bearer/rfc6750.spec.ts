import {
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  InvalidRequestError,
  InvalidTokenError,
  KeysUnavailableError,
  MissingTokenError,
  OidcAuthError,
  PolicyDeniedError,
  TokenRevokedError,
} from '../../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../../lib/protocol/bearer/rfc6750.js';
import { parseChallenges } from '../../../support/challenges.js';

const METADATA = 'https://notes.example.com/.well-known/oauth-protected-resource';

describe('toBearerErrorResponse', () => {
  describe('missing credentials (RFC 6750 §3.1: no error code)', () => {
    it('answers 401 with a challenge naming only the realm', () => {
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

    it('answers a bare Bearer challenge without realm or metadata', () => {
      expect(toBearerErrorResponse(new MissingTokenError()).headers).toEqual({
        'WWW-Authenticate': 'Bearer',
      });
    });

    it('advertises the protected-resource metadata (RFC 9728 §5.1) after the realm', () => {
      expect(
        toBearerErrorResponse(new MissingTokenError(), {
          realm: 'api',
          resourceMetadata: METADATA,
        }).headers['WWW-Authenticate'],
      ).toBe(`Bearer realm="api", resource_metadata="${METADATA}"`);
      expect(
        toBearerErrorResponse(new MissingTokenError(), { resourceMetadata: METADATA }).headers[
          'WWW-Authenticate'
        ],
      ).toBe(`Bearer resource_metadata="${METADATA}"`);
    });
  });

  describe('invalid_request', () => {
    it('answers 400 with the error code and description', () => {
      expect(
        toBearerErrorResponse(new InvalidRequestError('The request has two tokens'), {
          realm: 'api',
        }),
      ).toEqual({
        status: 400,
        code: 'invalid_request',
        headers: {
          'WWW-Authenticate':
            'Bearer realm="api", error="invalid_request", error_description="The request has two tokens"',
        },
        body: { statusCode: 400, error: 'Bad Request', message: 'The request has two tokens' },
      });
    });
  });

  describe('invalid_token', () => {
    it('answers 401 with the error code and description, and the metadata last', () => {
      expect(
        toBearerErrorResponse(new InvalidTokenError('token_expired', 'The token expired'), {
          realm: 'api',
          resourceMetadata: METADATA,
        }),
      ).toEqual({
        status: 401,
        code: 'invalid_token',
        headers: {
          'WWW-Authenticate': `Bearer realm="api", error="invalid_token", error_description="The token expired", resource_metadata="${METADATA}"`,
        },
        body: { statusCode: 401, error: 'Unauthorized', message: 'The token expired' },
      });
    });

    it('strips quotes, backslashes, control and non-ASCII characters from quoted values (§3)', () => {
      const res = toBearerErrorResponse(
        new InvalidTokenError('signature_invalid', 'Bad "quoted" \\ sig\u0000nature, naïve\r\n✓'),
        { realm: 'my "api"' },
      );
      expect(res.headers['WWW-Authenticate']).toBe(
        'Bearer realm="my api", error="invalid_token", error_description="Bad quoted  signature, nave"',
      );
      // The body is JSON, which escapes on its own: the message stays whole there.
      expect(res.body.message).toBe('Bad "quoted" \\ sig\u0000nature, naïve\r\n✓');
    });

    it('keeps every printable ASCII character the grammar allows', () => {
      const allowed = "!#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~ ";
      const res = toBearerErrorResponse(new InvalidTokenError('claim_invalid', allowed));
      expect(res.headers['WWW-Authenticate']).toBe(
        `Bearer error="invalid_token", error_description="${allowed}"`,
      );
    });
  });

  describe('insufficient_scope', () => {
    it('answers 403 naming the required scopes in scope', () => {
      expect(
        toBearerErrorResponse(new InsufficientScopeError('insufficient_scope', ['notes:write']), {
          realm: 'api',
        }),
      ).toEqual({
        status: 403,
        code: 'insufficient_scope',
        headers: {
          'WWW-Authenticate':
            'Bearer realm="api", error="insufficient_scope", error_description="This resource requires the scope notes:write", scope="notes:write"',
        },
        body: {
          statusCode: 403,
          error: 'Forbidden',
          message: 'This resource requires the scope notes:write',
        },
      });
    });

    it('names the first alternative without the route’s scopes: a scope list means all of them', () => {
      const res = toBearerErrorResponse(
        new InsufficientScopeError('insufficient_scope', ['notes:read', 'notes:admin']),
        { resourceMetadata: METADATA },
      );
      expect(res.headers['WWW-Authenticate']).toBe(
        `Bearer error="insufficient_scope", error_description="This resource requires one of the scopes notes:read, notes:admin", scope="notes:read", resource_metadata="${METADATA}"`,
      );
    });

    it('names the route’s scopes, all it needs, rather than the one requirement that failed', () => {
      const res = toBearerErrorResponse(
        new InsufficientScopeError('insufficient_scope', ['notes:write']),
        { realm: 'api', scope: 'notes:read notes:write', resourceMetadata: METADATA },
      );
      expect(res.headers['WWW-Authenticate']).toBe(
        `Bearer realm="api", error="insufficient_scope", error_description="This resource requires the scope notes:write", scope="notes:read notes:write", resource_metadata="${METADATA}"`,
      );
    });

    it('answers a missing role with insufficient_scope but no scope parameter', () => {
      const res = toBearerErrorResponse(
        new InsufficientScopeError('insufficient_role', ['admin']),
        {
          realm: 'api',
        },
      );
      expect(res.status).toBe(403);
      expect(res.headers['WWW-Authenticate']).toBe(
        'Bearer realm="api", error="insufficient_scope", error_description="This resource requires the role admin"',
      );
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'This resource requires the role admin',
      });
    });
  });

  describe('unavailable keys', () => {
    it('answers 503 with Retry-After and no challenge: the client is not at fault', () => {
      const res = toBearerErrorResponse(new KeysUnavailableError('https://idp.example', 7), {
        realm: 'api',
        resourceMetadata: METADATA,
      });
      expect(res).toEqual({
        status: 503,
        code: 'temporarily_unavailable',
        headers: { 'Retry-After': '7' },
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'The signing keys of the token issuer are temporarily unavailable',
        },
      });
      expect(res.headers).not.toHaveProperty('WWW-Authenticate');
    });
  });

  it('answers a refusal it has no mapping for with 403 and no challenge (fails closed)', () => {
    class FutureRefusal extends OidcAuthError {
      readonly reason = 'claim_invalid' as const;
    }
    expect(toBearerErrorResponse(new FutureRefusal('Refused'), { realm: 'api' })).toEqual({
      status: 403,
      headers: {},
      body: { statusCode: 403, error: 'Forbidden', message: 'Refused' },
    });
  });

  it('always keeps statusCode in the body equal to the status', () => {
    const errors = [
      new MissingTokenError(),
      new InvalidRequestError('x'),
      new InvalidTokenError('malformed_token', 'x'),
      new InsufficientScopeError('insufficient_scope', ['a']),
      new KeysUnavailableError('https://idp', 1),
    ];
    expect(errors.map((e) => toBearerErrorResponse(e).status)).toEqual([401, 400, 401, 403, 503]);
    for (const err of errors) {
      const res = toBearerErrorResponse(err);
      expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(res.body.statusCode).toBe(res.status);
      expect(res.body.message).toBe(err.message);
    }
  });
});

describe('the route’s scope on challenges (RFC 6750 §3)', () => {
  const route = { realm: 'api', scope: 'notes:read notes:write', resourceMetadata: METADATA };
  const header = (err: OidcAuthError, options = route) =>
    toBearerErrorResponse(err, options).headers['WWW-Authenticate'];

  it('names it on the 401 to a request without a token, before the metadata', () => {
    expect(header(new MissingTokenError())).toBe(
      `Bearer realm="api", scope="notes:read notes:write", resource_metadata="${METADATA}"`,
    );
  });

  it('names it on 401 invalid_token and insufficient_user_authentication', () => {
    expect(header(new InvalidTokenError('resource_mismatch', 'Not for this resource'))).toBe(
      `Bearer realm="api", error="invalid_token", error_description="Not for this resource", scope="notes:read notes:write", resource_metadata="${METADATA}"`,
    );
    expect(header(new InsufficientUserAuthenticationError('Step up', ['mfa']))).toBe(
      `Bearer realm="api", error="insufficient_user_authentication", error_description="Step up", acr_values="mfa", scope="notes:read notes:write", resource_metadata="${METADATA}"`,
    );
  });

  it('leaves it out where a scope would not help: a missing role, a denied policy', () => {
    expect(header(new InsufficientScopeError('insufficient_role', ['admin']))).not.toMatch(
      /scope=/,
    );
    expect(header(new PolicyDeniedError(['sameTenant']))).not.toMatch(/scope=/);
  });

  it('offers it on both schemes with DPoP on', () => {
    const challenges = parseChallenges(
      header(new MissingTokenError(), { ...route, dpopAlgorithms: ['ES256'] } as typeof route),
    );
    expect(challenges).toEqual([
      {
        scheme: 'Bearer',
        params: { realm: 'api', scope: 'notes:read notes:write', resource_metadata: METADATA },
      },
      {
        scheme: 'DPoP',
        params: {
          algs: 'ES256',
          realm: 'api',
          scope: 'notes:read notes:write',
          resource_metadata: METADATA,
        },
      },
    ]);
  });

  it('renders every challenge so that a strict parser reads back exactly what was meant', () => {
    for (const err of [
      new MissingTokenError(),
      new InvalidTokenError('token_expired', 'The token expired'),
      new InsufficientScopeError('insufficient_scope', ['notes:write']),
    ]) {
      const [bearer] = parseChallenges(header(err));
      expect(bearer.params.scope?.split(' ')).toEqual(['notes:read', 'notes:write']);
      expect(bearer.params.resource_metadata).toBe(METADATA);
    }
  });
});

describe('step-up refusals (RFC 9470 §3)', () => {
  it('answers 401 insufficient_user_authentication with acr_values and max_age', () => {
    const err = new InsufficientUserAuthenticationError(
      'This resource requires the authentication context mfa',
      ['mfa', 'urn:example:phr'],
      300,
    );
    expect(toBearerErrorResponse(err, { realm: 'api' })).toEqual({
      status: 401,
      code: 'insufficient_user_authentication',
      headers: {
        'WWW-Authenticate':
          'Bearer realm="api", error="insufficient_user_authentication", error_description="This resource requires the authentication context mfa", acr_values="mfa urn:example:phr", max_age="300"',
      },
      body: { statusCode: 401, error: 'Unauthorized', message: err.message },
      parameters: { acr_values: 'mfa urn:example:phr', max_age: 300 },
    });
  });

  it('names only the parameters the route asked for', () => {
    const ageOnly = toBearerErrorResponse(
      new InsufficientUserAuthenticationError('Too old', undefined, 0),
    );
    expect(ageOnly.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_user_authentication", error_description="Too old", max_age="0"',
    );
    const acrOnly = toBearerErrorResponse(new InsufficientUserAuthenticationError('Weak', ['c1']));
    expect(acrOnly.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_user_authentication", error_description="Weak", acr_values="c1"',
    );
  });
});

describe('revoked tokens (reason token_revoked)', () => {
  const REVOKED_AT = 1_800_000_000;
  const NOW = (REVOKED_AT + 42.5) * 1000;
  const answer = (err: TokenRevokedError, options = { realm: 'api' }) =>
    toBearerErrorResponse(err, options, NOW);

  it('answers 401 invalid_token naming the event', () => {
    const err = new TokenRevokedError('session-revoked', REVOKED_AT);
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect(err.reason).toBe('token_revoked');
    expect(answer(err)).toEqual({
      status: 401,
      code: 'invalid_token',
      headers: {
        'WWW-Authenticate':
          'Bearer realm="api", error="invalid_token", error_description="The token was revoked (session-revoked)"',
      },
      body: {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'The token was revoked (session-revoked)',
      },
    });
  });

  it('demands a fresh token after token-claims-change', () => {
    const refused = answer(new TokenRevokedError('token-claims-change', REVOKED_AT));
    expect(refused.code).toBe('invalid_token');
    expect(refused.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The token was revoked (token-claims-change): its claims changed, get a fresh token"',
    );
  });

  it('asks for a step-up after assurance-level-change: the new level, and an authentication after the event (RFC 9470)', () => {
    const refused = answer(
      new TokenRevokedError('assurance-level-change', REVOKED_AT, { currentLevel: 'nist-aal1' }),
    );
    expect(refused.status).toBe(401);
    expect(refused.code).toBe('insufficient_user_authentication');
    expect(refused.parameters).toEqual({ acr_values: 'nist-aal1', max_age: 42 });
    expect(refused.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="insufficient_user_authentication", error_description="The token was revoked (assurance-level-change): authenticate again", acr_values="nist-aal1", max_age="42"',
    );
    // Without a level in the event, max_age alone; never negative for an event in the future.
    const bare = toBearerErrorResponse(
      new TokenRevokedError('assurance-level-change', REVOKED_AT),
      {},
      (REVOKED_AT - 5) * 1000,
    );
    expect(bare.parameters).toEqual({ max_age: 0 });
  });

  it('answers a cp1 client with the CAE claims challenge, whatever revoked the token', () => {
    for (const event of ['session-revoked', 'assurance-level-change', 'token-claims-change']) {
      const refused = answer(
        new TokenRevokedError(event, REVOKED_AT, { claimsChallenge: true, currentLevel: 'x' }),
        { realm: 'api', resourceMetadata: METADATA, scope: 'notes:read' } as never,
      );
      expect(refused.status).toBe(401);
      expect(refused.code).toBe('insufficient_claims');
      const [bearer] = parseChallenges(refused.headers['WWW-Authenticate']);
      expect(bearer.scheme).toBe('Bearer');
      expect(bearer.params.realm).toBe('');
      expect(bearer.params.error).toBe('insufficient_claims');
      expect(bearer.params.scope).toBeUndefined();
      const claims = bearer.params.claims;
      expect(refused.parameters).toEqual({ claims });
      expect(JSON.parse(Buffer.from(claims, 'base64').toString('utf8'))).toEqual({
        access_token: { nbf: { essential: true, value: String(REVOKED_AT) } },
      });
      expect(refused.headers['WWW-Authenticate']).toMatch(
        /^Bearer realm="", error="insufficient_claims", error_description="The token was revoked \([a-z-]+\): get a token issued after it", claims="[A-Za-z0-9+/=]+"/,
      );
    }
  });

  it('asks for an nbf in whole seconds, rounded up, for a revocation within a second', () => {
    const refused = answer(
      new TokenRevokedError('session-revoked', REVOKED_AT + 0.4, { claimsChallenge: true }),
    );
    const claims = refused.parameters?.claims ?? '';
    expect(JSON.parse(Buffer.from(claims, 'base64').toString('utf8'))).toEqual({
      access_token: { nbf: { essential: true, value: String(REVOKED_AT + 1) } },
    });
  });

  it('challenges only the scheme the request used for a step-up or claims challenge, both for invalid_token', () => {
    const dpop = { realm: 'api', dpopAlgorithms: ['ES256'] };
    const stepUp = new TokenRevokedError('assurance-level-change', REVOKED_AT);
    expect(parseChallenges(answer(stepUp, dpop).headers['WWW-Authenticate'])).toHaveLength(1);
    const claims = new TokenRevokedError('session-revoked', REVOKED_AT, { claimsChallenge: true });
    expect(parseChallenges(answer(claims, dpop).headers['WWW-Authenticate'])).toHaveLength(1);
    const plain = new TokenRevokedError('session-revoked', REVOKED_AT);
    expect(parseChallenges(answer(plain, dpop).headers['WWW-Authenticate'])).toHaveLength(2);
  });
});
