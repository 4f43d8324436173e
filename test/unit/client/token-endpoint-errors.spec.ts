import {
  InteractionRequiredError,
  InvalidClientError,
  InvalidGrantError,
  TokenEndpointError,
  tokenEndpointError,
} from '../../../lib/client/token-endpoint-errors.js';

describe('tokenEndpointError', () => {
  it('maps client, grant and interaction refusals to their classes', () => {
    expect(tokenEndpointError(401, { error: 'invalid_client' })).toBeInstanceOf(InvalidClientError);
    expect(
      tokenEndpointError(400, { error: 'invalid_grant', error_description: 'expired' }),
    ).toBeInstanceOf(InvalidGrantError);
    for (const error of ['interaction_required', 'consent_required', 'login_required']) {
      expect(tokenEndpointError(400, { error })).toBeInstanceOf(InteractionRequiredError);
    }
    const other = tokenEndpointError(400, { error: 'invalid_target' });
    expect(other).toBeInstanceOf(TokenEndpointError);
    expect(other).not.toBeInstanceOf(InvalidGrantError);
  });

  it('keeps Entra conditional-access challenges (invalid_grant with claims) for the caller', () => {
    const claims = '{"access_token":{"capolids":{"essential":true,"values":["c1"]}}}';
    const err = tokenEndpointError(400, {
      error: 'invalid_grant',
      error_description: 'AADSTS50076: multi-factor authentication required',
      suberror: 'basic_action',
      claims,
    });
    expect(err).toBeInstanceOf(InteractionRequiredError);
    expect((err as InteractionRequiredError).claims).toBe(claims);
    expect(err.message).toContain('AADSTS50076');
  });

  it('names an unparseable answer by its status', () => {
    expect(tokenEndpointError(418, {}).error).toBe('http_418');
  });
});
