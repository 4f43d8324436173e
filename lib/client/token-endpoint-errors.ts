/** What a token endpoint answered when it refused (RFC 6749 §5.2), as typed errors. */
export class TokenEndpointError extends Error {
  constructor(
    /** The OAuth `error` code, e.g. `invalid_grant`. */
    readonly error: string,
    readonly description: string | undefined,
    readonly status: number,
  ) {
    super(
      `The token endpoint refused the request: ${error}${description ? ` (${description})` : ''}`,
    );
    this.name = new.target.name;
  }
}

/** The client's own credentials were refused: a deployment problem, not the caller's. */
export class InvalidClientError extends TokenEndpointError {}

/** The grant (the incoming token, for on-behalf-of) was refused: expired, revoked, wrong audience. */
export class InvalidGrantError extends TokenEndpointError {}

/**
 * The user must consent or satisfy a policy (Entra conditional access) before the downstream API
 * may be called on their behalf. `claims` is the challenge to hand back to the client, e.g. in a
 * 403 with `WWW-Authenticate: Bearer error="insufficient_claims", claims="..."`.
 */
export class InteractionRequiredError extends TokenEndpointError {
  constructor(
    error: string,
    description: string | undefined,
    status: number,
    readonly claims: string | undefined,
  ) {
    super(error, description, status);
  }
}

/**
 * A DPoP-bound token was asked for (`dpop` option) but the token endpoint issued another type,
 * usually `Bearer`: the authorization server does not support DPoP, or not for this client.
 */
export class UnexpectedTokenTypeError extends TokenEndpointError {
  constructor(
    readonly tokenType: string,
    status: number,
  ) {
    super(
      'unexpected_token_type',
      `a DPoP-bound token was asked for, but token_type is ${tokenType ? JSON.stringify(tokenType) : 'missing'}`,
      status,
    );
  }
}

/** The token endpoint could not be reached or answered nonsense; worth a retry later. */
export class TokenEndpointUnavailableError extends Error {
  constructor(detail: string) {
    super(`The token endpoint is unavailable: ${detail}`);
    this.name = 'TokenEndpointUnavailableError';
  }
}

const INTERACTION = new Set(['interaction_required', 'consent_required', 'login_required']);

export function tokenEndpointError(
  status: number,
  body: Record<string, unknown>,
): TokenEndpointError {
  const error = typeof body.error === 'string' ? body.error : `http_${status}`;
  const description =
    typeof body.error_description === 'string' ? body.error_description : undefined;
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    return new InvalidClientError(error, description, status);
  }
  // Entra answers conditional-access challenges as invalid_grant with a `claims` member.
  if (INTERACTION.has(error) || typeof body.claims === 'string') {
    return new InteractionRequiredError(
      error,
      description,
      status,
      typeof body.claims === 'string' ? body.claims : undefined,
    );
  }
  if (error === 'invalid_grant') return new InvalidGrantError(error, description, status);
  return new TokenEndpointError(error, description, status);
}
