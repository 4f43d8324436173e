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
  UseDPoPNonceError,
} from '../errors/errors.js';

export interface ChallengeOptions {
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
 * RFC 6750 §3.1 error codes, RFC 9470's `insufficient_user_authentication` for step-up, and RFC
 * 6749's `temporarily_unavailable` for a key or introspection outage.
 */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'temporarily_unavailable'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

export interface BearerErrorResponse {
  status: number;
  /** Absent when the request carried no credentials at all (RFC 6750 §3.1). */
  code?: BearerErrorCode;
  headers: Record<string, string>;
  body: { statusCode: number; error: string; message: string };
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
): BearerErrorResponse {
  return { status, code, headers, body: { statusCode: status, error, message } };
}

/**
 * The single mapping from the module's errors to HTTP (RFC 6750 §3 and §3.1, RFC 9449 §7.1 and
 * §9 with DPoP on). Everything that answers a refused request goes through here.
 */
export function toBearerErrorResponse(
  err: OidcAuthError,
  options: ChallengeOptions = {},
): BearerErrorResponse {
  const answer = bearerErrorResponse(err, options);
  const bearer = answer.headers['WWW-Authenticate'];
  if (options.dpopAlgorithms && bearer !== undefined) {
    answer.headers['WWW-Authenticate'] = withDPoP(bearer, err, options, options.dpopAlgorithms);
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
    err instanceof InsufficientUserAuthenticationError;
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
    return response(401, 'insufficient_user_authentication', 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'insufficient_user_authentication',
        error_description: err.message,
        acr_values: err.acrValues?.length ? err.acrValues.join(' ') : undefined,
        max_age: err.maxAgeSeconds === undefined ? undefined : String(err.maxAgeSeconds),
      }),
    });
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
