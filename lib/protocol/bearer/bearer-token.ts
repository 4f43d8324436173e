import { InvalidRequestError, InvalidTokenError, MissingTokenError } from '../errors/errors.js';

export interface BearerTokenSources {
  /** The raw `Authorization` header value(s) as the HTTP server parsed them. */
  authorization: string | string[] | undefined;
  /** The `access_token` query parameter value(s), when the request has any. */
  query: unknown;
  /** RFC 6750 §2.3 query tokens leak into logs and history; accepted only when enabled. */
  allowQuery: boolean;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+\-.^_`|~]*)(?: |$)/;

/**
 * The longest bearer token accepted, in characters, on every transport. Real access tokens stay
 * far below it (a large Entra token with group claims is ~4-6 KiB); the cap keeps megabyte
 * "tokens" from being matched, hashed for the cache and base64-decoded.
 */
export const MAX_BEARER_TOKEN_LENGTH = 16 * 1024;
// Room for the scheme and its spaces around a token of the longest accepted length.
const MAX_HEADER_LENGTH = MAX_BEARER_TOKEN_LENGTH + 64;

function fromHeader(header: string): string | undefined {
  const scheme = SCHEME.exec(header)?.[1];
  // Another scheme (Basic, DPoP ...) means "no bearer credentials", which RFC 6750 answers with a
  // bare challenge; only a Bearer header of the wrong shape is a malformed request.
  if (scheme && scheme.toLowerCase() !== 'bearer') return undefined;
  // Not worth matching: whatever its shape, extractBearerToken refuses it for its length.
  if (header.length > MAX_HEADER_LENGTH) return header;
  const match = BEARER.exec(header);
  if (match) return match[1];
  throw new InvalidRequestError(
    'The Authorization header must have the form "Bearer <token>" with exactly one token',
  );
}

function fromQuery(query: unknown, allowQuery: boolean): string | undefined {
  if (query === undefined) return undefined;
  if (!allowQuery) {
    throw new InvalidRequestError(
      'Access tokens are not accepted in the query string; send them in the Authorization header',
    );
  }
  if (typeof query === 'string' && query.length > MAX_BEARER_TOKEN_LENGTH) return query;
  if (typeof query !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(query)) {
    throw new InvalidRequestError('The access_token query parameter must hold exactly one token');
  }
  return query;
}

/**
 * Finds the one bearer token of a request (RFC 6750 §2). Several places or several values are an
 * `invalid_request` (§2: clients must not use more than one method); a token in an allowed place
 * but longer than `MAX_BEARER_TOKEN_LENGTH` is an `invalid_token`, refused before anything reads it.
 */
export function extractBearerToken(sources: BearerTokenSources): string {
  if (Array.isArray(sources.authorization)) {
    throw new InvalidRequestError('The request has more than one Authorization header');
  }
  const header =
    sources.authorization === undefined ? undefined : fromHeader(sources.authorization);
  const query = fromQuery(sources.query, sources.allowQuery);
  if (header !== undefined && query !== undefined) {
    throw new InvalidRequestError(
      'The request carries a token in both the Authorization header and the query string',
    );
  }
  const token = header ?? query;
  if (token === undefined) throw new MissingTokenError();
  if (token.length > MAX_BEARER_TOKEN_LENGTH) {
    throw new InvalidTokenError(
      'malformed_token',
      `The access token is longer than ${MAX_BEARER_TOKEN_LENGTH} characters`,
    );
  }
  return token;
}
