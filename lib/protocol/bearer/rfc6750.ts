import {
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  InvalidRequestError,
  IntrospectionUnavailableError,
  InvalidTokenError,
  KeysUnavailableError,
  MissingTokenError,
  OidcAuthError,
  PolicyDeniedError,
  InvalidDPoPProofError,
  ReplayStoreUnavailableError,
  RevocationsUnavailableError,
  TokenRevokedError,
  UseDPoPNonceError,
} from '../errors/errors.js';

export interface ChallengeOptions {
  /** The challenge's `realm`; left out when unset. */
  realm?: string;
  /** RFC 9728 protected-resource metadata URL, advertised so clients can find the authorization server. */
  resourceMetadata?: string;
  /**
   * The scopes the route needs, space-separated (RFC 6750 §3): on every challenge, so that a client
   * asks for them with its first token, except where a scope would not help (a role, a policy).
   */
  scope?: string;
  /** The DPoP `algs` (RFC 9449 §7.1) when the API takes DPoP: challenges then offer both schemes. */
  dpopAlgorithms?: readonly string[];
}

/**
 * RFC 6750 §3.1 error codes, RFC 9470's `insufficient_user_authentication` for step-up, Entra's
 * `insufficient_claims` for a Continuous Access Evaluation claims challenge, and RFC 6749's
 * `temporarily_unavailable` for a key or introspection outage.
 */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'insufficient_claims'
  | 'temporarily_unavailable'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

export interface BearerErrorResponse {
  status: number;
  /** Absent when the request carried no credentials at all (RFC 6750 §3.1). */
  code?: BearerErrorCode;
  headers: Record<string, string>;
  body: { statusCode: number; error: string; message: string };
  /**
   * What the client needs to recover, besides the code: RFC 9470's `acr_values` and `max_age`, a
   * CAE claims challenge's `claims`. In the challenge header too; transports without headers
   * (GraphQL, WebSocket, RPC) pass them on in their own refusal.
   */
  parameters?: RecoveryParameters;
}

export interface RecoveryParameters {
  acr_values?: string;
  max_age?: number;
  /** Base64 JSON claims request the next token must satisfy (Entra CAE). */
  claims?: string;
}

// RFC 6750 §3: error_description is limited to printable ASCII without '"' and '\'.
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

function challenge(options: ChallengeOptions, params: Record<string, string | undefined>): string {
  const all: Record<string, string | undefined> = {
    realm: options.realm,
    ...params,
    scope: 'scope' in params ? params.scope : options.scope,
    resource_metadata: options.resourceMetadata,
  };
  const rendered = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${quoted(value)}`);
  return rendered.length ? `Bearer ${rendered.join(', ')}` : 'Bearer';
}

function response(
  status: number,
  code: BearerErrorCode | undefined,
  error: string,
  message: string,
  headers: Record<string, string>,
  parameters?: RecoveryParameters,
): BearerErrorResponse {
  const answer: BearerErrorResponse = {
    status,
    code,
    headers,
    body: { statusCode: status, error, message },
  };
  if (parameters && Object.keys(parameters).length > 0) answer.parameters = parameters;
  return answer;
}

/**
 * A revoked token's answer, by what revoked it (the reason stays `token_revoked`):
 * - a client that declared `cp1` gets Entra's Continuous Access Evaluation claims challenge
 *   (`insufficient_claims`, `claims` demanding a token whose `nbf` is at least the revocation):
 *   MSAL acquires such a token and retries by itself. Microsoft's format has an empty realm.
 * - `assurance-level-change`: RFC 9470 step-up, `insufficient_user_authentication` with the
 *   level the event says the user has now as `acr_values` and a `max_age` that only an
 *   authentication after the event meets.
 * - `token-claims-change`: `invalid_token`, saying a fresh token (with the new claims) is needed.
 * - anything else: `invalid_token` naming the event.
 */
function revokedResponse(
  err: TokenRevokedError,
  options: ChallengeOptions,
  now: number,
): BearerErrorResponse {
  if (err.details.claimsChallenge) {
    // nbf is whole seconds: rounded up, so that a token meeting it was issued after the revocation.
    const nbf = String(Math.ceil(err.revokedAt));
    const request = { access_token: { nbf: { essential: true, value: nbf } } };
    const claims = Buffer.from(JSON.stringify(request)).toString('base64');
    const message = `${err.message}: get a token issued after it`;
    return response(
      401,
      'insufficient_claims',
      'Unauthorized',
      message,
      {
        'WWW-Authenticate': challenge(
          { ...options, realm: '', scope: undefined },
          { error: 'insufficient_claims', error_description: message, claims, scope: undefined },
        ),
      },
      { claims },
    );
  }
  if (err.event === 'assurance-level-change') {
    const message = `${err.message}: authenticate again`;
    const parameters: RecoveryParameters = {
      max_age: Math.max(0, Math.floor(now / 1000 - err.revokedAt)),
    };
    if (err.details.currentLevel !== undefined) parameters.acr_values = err.details.currentLevel;
    return response(
      401,
      'insufficient_user_authentication',
      'Unauthorized',
      message,
      {
        'WWW-Authenticate': challenge(options, {
          error: 'insufficient_user_authentication',
          error_description: message,
          acr_values: parameters.acr_values,
          max_age: String(parameters.max_age),
        }),
      },
      parameters,
    );
  }
  const message =
    err.event === 'token-claims-change'
      ? `${err.message}: its claims changed, get a fresh token`
      : err.message;
  return response(401, 'invalid_token', 'Unauthorized', message, {
    'WWW-Authenticate': challenge(options, { error: 'invalid_token', error_description: message }),
  });
}

/**
 * The single mapping from the module's errors to HTTP (RFC 6750 §3 and §3.1, RFC 9449 §7.1 and
 * §9 with DPoP on). Everything that answers a refused request goes through here.
 */
export function toBearerErrorResponse(
  err: OidcAuthError,
  options: ChallengeOptions = {},
  now: number = Date.now(),
): BearerErrorResponse {
  const answer =
    err instanceof TokenRevokedError
      ? revokedResponse(err, options, now)
      : bearerErrorResponse(err, options);
  const bearer = answer.headers['WWW-Authenticate'];
  if (options.dpopAlgorithms && bearer !== undefined) {
    answer.headers['WWW-Authenticate'] = withDPoP(
      bearer,
      answer.code,
      err,
      options,
      options.dpopAlgorithms,
    );
  }
  return answer;
}

/**
 * A `DPoP` challenge with `algs` beside the `Bearer` one (alone on a DPoP-only route), the error on
 * the scheme the request used (RFC 9449 §7.1). When the credentials were fine but not enough
 * (scope, step-up) the other scheme is no way out: only the one used is challenged.
 */
function withDPoP(
  bearer: string,
  answerCode: BearerErrorCode | undefined,
  err: OidcAuthError,
  options: ChallengeOptions,
  algs: readonly string[],
): string {
  const dpopOnly = err.presentation?.dpopOnly === true;
  const proofError = err instanceof InvalidDPoPProofError || err instanceof UseDPoPNonceError;
  const used = err.presentation?.scheme ?? (dpopOnly || proofError ? 'DPoP' : 'Bearer');
  const usedOnly =
    err instanceof InsufficientScopeError ||
    err instanceof PolicyDeniedError ||
    err instanceof InsufficientUserAuthenticationError ||
    (err instanceof TokenRevokedError && answerCode !== 'invalid_token');
  const bare = challenge(options, {});
  // The parameters of a rendered Bearer challenge, with their leading space, under the DPoP scheme.
  const dpop = (from: string) =>
    `DPoP algs=${quoted(algs.join(' '))}${from.slice(6) && ','}${from.slice(6)}`;
  if (used === 'DPoP') return dpopOnly || usedOnly ? dpop(bearer) : `${bare}, ${dpop(bearer)}`;
  return usedOnly ? bearer : `${bearer}, ${dpop(bare)}`;
}

function bearerErrorResponse(err: OidcAuthError, options: ChallengeOptions): BearerErrorResponse {
  if (err instanceof MissingTokenError) {
    return response(401, undefined, 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {}),
    });
  }
  if (err instanceof InvalidRequestError) {
    return response(400, 'invalid_request', 'Bad Request', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'invalid_request',
        error_description: err.message,
      }),
    });
  }
  if (err instanceof InvalidTokenError) {
    return response(401, 'invalid_token', 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'invalid_token',
        error_description: err.message,
      }),
    });
  }
  if (err instanceof InsufficientScopeError) {
    return response(403, 'insufficient_scope', 'Forbidden', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'insufficient_scope',
        error_description: err.message,
        // Without the route's scopes, the failed requirement's first alternative: a scope list
        // means all of them, and one of the alternatives is what the route asks for.
        scope: err.reason === 'insufficient_scope' ? (options.scope ?? err.required[0]) : undefined,
      }),
    });
  }
  if (err instanceof InsufficientUserAuthenticationError) {
    const parameters: RecoveryParameters = {};
    if (err.acrValues?.length) parameters.acr_values = err.acrValues.join(' ');
    if (err.maxAgeSeconds !== undefined) parameters.max_age = err.maxAgeSeconds;
    return response(
      401,
      'insufficient_user_authentication',
      'Unauthorized',
      err.message,
      {
        'WWW-Authenticate': challenge(options, {
          error: 'insufficient_user_authentication',
          error_description: err.message,
          acr_values: parameters.acr_values,
          max_age: parameters.max_age === undefined ? undefined : String(parameters.max_age),
        }),
      },
      parameters,
    );
  }
  if (err instanceof PolicyDeniedError) {
    return response(403, 'insufficient_scope', 'Forbidden', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'insufficient_scope',
        error_description: err.message,
        scope: undefined,
      }),
    });
  }
  if (err instanceof InvalidDPoPProofError) {
    return response(401, 'invalid_dpop_proof', 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'invalid_dpop_proof',
        error_description: err.message,
      }),
    });
  }
  if (err instanceof UseDPoPNonceError) {
    return response(401, 'use_dpop_nonce', 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'use_dpop_nonce',
        error_description: err.message,
      }),
      'DPoP-Nonce': err.nonce,
    });
  }
  if (err instanceof ReplayStoreUnavailableError || err instanceof RevocationsUnavailableError) {
    return response(503, 'temporarily_unavailable', 'Service Unavailable', err.message, {
      'Retry-After': String(err.retryAfterSeconds),
    });
  }
  if (err instanceof KeysUnavailableError || err instanceof IntrospectionUnavailableError) {
    return response(503, 'temporarily_unavailable', 'Service Unavailable', err.message, {
      'Retry-After': String(err.retryAfterSeconds),
    });
  }
  return response(403, undefined, 'Forbidden', err.message, {});
}
