import {
  InsufficientScopeError,
  InvalidDPoPProofError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  type OidcAuthError,
  ReplayStoreUnavailableError,
  UseDPoPNonceError,
} from '../../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../../lib/protocol/bearer/rfc6750.js';

const options = { realm: 'api', dpopAlgorithms: ['ES256', 'PS256'] };
const DPOP = 'DPoP algs="ES256 PS256", realm="api"';

function presented<E extends OidcAuthError>(
  err: E,
  scheme: 'Bearer' | 'DPoP' | undefined,
  dpopOnly = false,
): E {
  err.presentation = { scheme, dpopOnly };
  return err;
}

const challengeOf = (err: OidcAuthError) =>
  toBearerErrorResponse(err, options).headers['WWW-Authenticate'];

describe('RFC 9449 §7.1 challenges', () => {
  it('offers both schemes to a request without credentials, DPoP alone on a DPoP-only route', () => {
    expect(challengeOf(new MissingTokenError())).toBe(`Bearer realm="api", ${DPOP}`);
    expect(challengeOf(presented(new MissingTokenError(), undefined, true))).toBe(DPOP);
  });

  it('puts the error on the scheme the request used', () => {
    const bearer = presented(new InvalidTokenError('token_expired', 'expired'), 'Bearer');
    expect(challengeOf(bearer)).toBe(
      `Bearer realm="api", error="invalid_token", error_description="expired", ${DPOP}`,
    );
    const dpop = presented(new InvalidTokenError('dpop_binding_mismatch', 'other key'), 'DPoP');
    expect(challengeOf(dpop)).toBe(
      `Bearer realm="api", ${DPOP}, error="invalid_token", error_description="other key"`,
    );
    const malformed = presented(new InvalidRequestError('bad'), 'DPoP', true);
    expect(challengeOf(malformed)).toBe(
      `${DPOP}, error="invalid_request", error_description="bad"`,
    );
  });

  it('answers proof failures 401 invalid_dpop_proof on the DPoP challenge', () => {
    const answer = toBearerErrorResponse(
      new InvalidDPoPProofError('dpop_proof_replayed', 'used before'),
      options,
    );
    expect(answer.status).toBe(401);
    expect(answer.code).toBe('invalid_dpop_proof');
    expect(answer.headers['WWW-Authenticate']).toBe(
      `Bearer realm="api", ${DPOP}, error="invalid_dpop_proof", error_description="used before"`,
    );
  });

  it('answers use_dpop_nonce with the nonce in DPoP-Nonce', () => {
    const answer = toBearerErrorResponse(new UseDPoPNonceError('n-1', 'need a nonce'), options);
    expect(answer).toMatchObject({ status: 401, code: 'use_dpop_nonce' });
    expect(answer.headers['DPoP-Nonce']).toBe('n-1');
    expect(answer.headers['WWW-Authenticate']).toMatch(/DPoP algs=.*error="use_dpop_nonce"/);
  });

  it('challenges only the scheme used when the token was fine but not enough', () => {
    const scope = presented(new InsufficientScopeError('insufficient_scope', ['a']), 'DPoP');
    expect(challengeOf(scope)).toBe(
      `${DPOP}, error="insufficient_scope", error_description="This resource requires the scope a", scope="a"`,
    );
    const bearer = presented(new InsufficientScopeError('insufficient_scope', ['a']), 'Bearer');
    expect(challengeOf(bearer)).toMatch(/^Bearer realm="api", error="insufficient_scope"/);
    expect(challengeOf(bearer)).not.toContain('DPoP');
  });

  it('answers a replay store outage 503 with Retry-After and no challenge', () => {
    const answer = toBearerErrorResponse(new ReplayStoreUnavailableError(5), options);
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual({ 'Retry-After': '5' });
  });

  it('offers Bearer alone when DPoP is off', () => {
    expect(toBearerErrorResponse(new MissingTokenError(), { realm: 'api' }).headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="api"',
    });
  });
});
