import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeysUnavailableError,
  MissingTokenError,
  OidcAuthError,
} from './errors.js';

export interface ChallengeOptions {
  realm?: string;
  /** RFC 9728 protected-resource metadata URL, advertised so clients can find the authorization server. */
  resourceMetadata?: string;
}

export interface BearerErrorResponse {
  status: number;
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
    resource_metadata: options.resourceMetadata,
  };
  const rendered = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${quoted(value)}`);
  return rendered.length ? `Bearer ${rendered.join(', ')}` : 'Bearer';
}

function response(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string>,
): BearerErrorResponse {
  return { status, headers, body: { statusCode: status, error, message } };
}

/**
 * The single mapping from the module's errors to HTTP (RFC 6750 §3 and §3.1). Everything that
 * answers a refused request goes through here.
 */
export function toBearerErrorResponse(
  err: OidcAuthError,
  options: ChallengeOptions = {},
): BearerErrorResponse {
  if (err instanceof MissingTokenError) {
    return response(401, 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {}),
    });
  }
  if (err instanceof InvalidRequestError) {
    return response(400, 'Bad Request', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'invalid_request',
        error_description: err.message,
      }),
    });
  }
  if (err instanceof InvalidTokenError) {
    return response(401, 'Unauthorized', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'invalid_token',
        error_description: err.message,
      }),
    });
  }
  if (err instanceof InsufficientScopeError) {
    return response(403, 'Forbidden', err.message, {
      'WWW-Authenticate': challenge(options, {
        error: 'insufficient_scope',
        error_description: err.message,
        scope: err.reason === 'insufficient_scope' ? err.required.join(' ') : undefined,
      }),
    });
  }
  if (err instanceof KeysUnavailableError) {
    return response(503, 'Service Unavailable', err.message, {
      'Retry-After': String(err.retryAfterSeconds),
    });
  }
  return response(403, 'Forbidden', err.message, {});
}
