/**
 * Why a request was refused. Stable strings: logs, metrics and tests key on them.
 */
export type RefusalReason =
  | 'missing_token'
  | 'invalid_request'
  | 'malformed_token'
  | 'unknown_issuer'
  | 'tenant_not_allowed'
  | 'algorithm_not_allowed'
  | 'unsupported_critical_header'
  | 'unknown_kid'
  | 'key_mismatch'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_inactive'
  | 'token_revoked'
  | 'token_not_yet_valid'
  | 'claim_invalid'
  | 'audience_mismatch'
  | 'issuer_mismatch'
  | 'typ_mismatch'
  | 'insufficient_scope'
  | 'insufficient_role'
  | 'insufficient_user_authentication'
  | 'policy_denied'
  | 'issuer_not_allowed'
  | 'resource_mismatch'
  | 'certificate_missing'
  | 'certificate_mismatch'
  | 'unsupported_confirmation'
  | 'jwks_unavailable'
  | 'introspection_unavailable'
  | 'introspection_client_refused'
  | DPoPProofReason
  | DPoPBindingReason
  | 'dpop_nonce_required'
  | 'dpop_store_unavailable'
  | 'revocations_unavailable';

/** Why a DPoP proof (RFC 9449 §4.3) was refused: 401 `invalid_dpop_proof`. */
export type DPoPProofReason =
  | 'dpop_proof_missing'
  | 'dpop_proof_malformed'
  | 'dpop_proof_typ_mismatch'
  | 'dpop_proof_algorithm_not_allowed'
  | 'dpop_proof_key_invalid'
  | 'dpop_proof_signature_invalid'
  | 'dpop_proof_htm_mismatch'
  | 'dpop_proof_htu_mismatch'
  | 'dpop_proof_iat_invalid'
  | 'dpop_proof_jti_invalid'
  | 'dpop_proof_ath_mismatch'
  | 'dpop_proof_replayed';

/** Why a token's DPoP binding (RFC 9449 §6, §7) was refused: 401 `invalid_token`. */
export type DPoPBindingReason =
  'dpop_binding_mismatch' | 'dpop_token_not_bound' | 'dpop_bound_token_as_bearer' | 'dpop_required';

/**
 * Every refusal the module produces. Each subclass corresponds to one RFC 6750 outcome; the mapping
 * to HTTP lives in `rfc6750.ts` alone.
 */
export abstract class OidcAuthError extends Error {
  abstract readonly reason: RefusalReason;
  /** The trusted issuer the token named, once known: for logs, never for the client. */
  issuer?: string;

  /**
   * How the refused request presented its token, once known, and whether the route takes DPoP
   * only: the challenge puts the error on the scheme the request used (RFC 9449 §7.1).
   */
  presentation?: { scheme?: 'Bearer' | 'DPoP'; dpopOnly: boolean };

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request carried no bearer credentials at all (RFC 6750 §3.1: challenge without error code). */
export class MissingTokenError extends OidcAuthError {
  readonly reason = 'missing_token' as const;

  constructor() {
    super('This resource requires a bearer token');
  }
}

/** The credentials are not in a shape RFC 6750 §2 allows (400 `invalid_request`). */
export class InvalidRequestError extends OidcAuthError {
  readonly reason = 'invalid_request' as const;
}

/** The token was presented properly but cannot be trusted (401 `invalid_token`). */
export class InvalidTokenError extends OidcAuthError {
  constructor(
    readonly reason: Exclude<
      RefusalReason,
      | 'missing_token'
      | 'invalid_request'
      | 'insufficient_scope'
      | 'insufficient_role'
      | 'insufficient_user_authentication'
      | 'policy_denied'
      | 'jwks_unavailable'
      | DPoPProofReason
      | 'dpop_nonce_required'
      | 'dpop_store_unavailable'
      | 'introspection_unavailable'
      | 'introspection_client_refused'
    >,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The token was revoked before its expiry (reason `token_revoked`): its session, user, client or
 * account was, by the identity provider's security event or by the application. Facts only; what
 * the client is told to do about it (a fresh token, a step-up, a CAE claims challenge) is decided
 * where refusals become answers, `protocol/bearer`.
 */
export class TokenRevokedError extends InvalidTokenError {
  constructor(
    /** What revoked it: the event's short name (`session-revoked` ...), never whom. */
    readonly event: string,
    /** Epoch seconds: tokens issued (or authenticated) before this are refused. */
    readonly revokedAt: number,
    readonly details: {
      /** The user's assurance level now, as an `assurance-level-change` event carried it. */
      currentLevel?: string;
      /**
       * The client declared the `cp1` capability (Entra's `xms_cc`): it answers a Continuous
       * Access Evaluation claims challenge by itself, with a token issued after `revokedAt`.
       */
      claimsChallenge?: boolean;
      /** Seconds from the event's issue to this refusal, on the first token it refused only. */
      lagSeconds?: number;
    } = {},
  ) {
    super('token_revoked', `The token was revoked (${event})`);
  }
}

/** The token is valid but lacks what the route requires (403 `insufficient_scope`). */
export class InsufficientScopeError extends OidcAuthError {
  constructor(
    readonly reason: 'insufficient_scope' | 'insufficient_role',
    /** Alternatives, any one of which would satisfy the failed requirement. */
    readonly required: readonly string[],
  ) {
    const kind = reason === 'insufficient_scope' ? 'scope' : 'role';
    super(
      required.length === 1
        ? `This resource requires the ${kind} ${required[0]}`
        : `This resource requires one of the ${kind}s ${required.join(', ')}`,
    );
  }
}

/** The token is valid but a named policy of the route (`@Policy`, `@AnyPolicy`) did not grant the call (403). */
export class PolicyDeniedError extends OidcAuthError {
  readonly reason = 'policy_denied' as const;

  constructor(
    /** The failed requirement: policies any one of which would have granted the call. */
    readonly policies: readonly string[],
  ) {
    super(
      policies.length === 1
        ? `The policy ${policies[0]} denied access to this resource`
        : `None of the policies ${policies.join(', ')} granted access to this resource`,
    );
  }
}

/**
 * The token is valid, but the user's authentication is not strong or recent enough for the route
 * (RFC 9470 §3: 401 `insufficient_user_authentication`). The client sends the user back to the
 * authorization server with these `acr_values` / `max_age` and retries with the new token.
 */
export class InsufficientUserAuthenticationError extends OidcAuthError {
  readonly reason = 'insufficient_user_authentication' as const;

  constructor(
    message: string,
    /** Authentication context classes, any one of which the route accepts. */
    readonly acrValues?: readonly string[],
    /** How long ago, at most, the user may have authenticated. */
    readonly maxAgeSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * The token's key cannot be looked up right now: the issuer's keys cannot be fetched, and none are
 * cached or the cached ones lack the token's `kid`. Not the client's fault, so not a 401: a 401
 * would make well-behaved clients throw away good tokens and stampede the provider.
 */
export class KeysUnavailableError extends OidcAuthError {
  readonly reason = 'jwks_unavailable' as const;

  constructor(
    override readonly issuer: string,
    readonly retryAfterSeconds: number,
  ) {
    super('The signing keys of the token issuer are temporarily unavailable');
  }
}

/** The DPoP proof of the request is missing or fails a check of RFC 9449 §4.3 (401 `invalid_dpop_proof`). */
export class InvalidDPoPProofError extends OidcAuthError {
  constructor(
    readonly reason: DPoPProofReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The proof lacks a nonce this API issued, or its nonce expired (RFC 9449 §9: 401
 * `use_dpop_nonce`); the client retries with a proof carrying `nonce`.
 */
export class UseDPoPNonceError extends OidcAuthError {
  readonly reason = 'dpop_nonce_required' as const;

  constructor(
    /** The nonce to use, sent as the `DPoP-Nonce` header. */
    readonly nonce: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The DPoP replay store cannot answer, and `dpop.onStoreFailure` is `refuse`: without it a replayed
 * proof cannot be told from a fresh one, so the request is not the client's fault but is not
 * accepted either (503).
 */
export class ReplayStoreUnavailableError extends OidcAuthError {
  readonly reason = 'dpop_store_unavailable' as const;

  constructor(readonly retryAfterSeconds: number) {
    super('The DPoP replay store is temporarily unavailable');
  }
}

/**
 * The revocation list this replica holds may have missed revocations: its shared copy (the store)
 * has not been reached for longer than `revocation.replicas.maxStalenessSeconds`, and
 * `whenStale` is `refuse`. A token the list does not refuse cannot be said to be unrevoked, so it
 * is not accepted either (503): not the client's fault, the client keeps its token and retries.
 */
export class RevocationsUnavailableError extends OidcAuthError {
  readonly reason = 'revocations_unavailable' as const;

  constructor(
    override readonly issuer: string,
    readonly retryAfterSeconds: number,
  ) {
    super('Whether the token was revoked cannot be checked right now');
  }
}

/**
 * An opaque token cannot be introspected right now: the endpoint is down, hangs, answers garbage,
 * or refuses our own client credentials. Like `KeysUnavailableError`, not the client's fault: 503
 * with Retry-After, so that clients keep their token and retry.
 */
export class IntrospectionUnavailableError extends OidcAuthError {
  readonly reason: 'introspection_unavailable' | 'introspection_client_refused' =
    'introspection_unavailable';

  constructor(
    override readonly issuer: string,
    readonly retryAfterSeconds: number,
    /** What went wrong, for the operator's log: never shown to the client, never the token. */
    readonly detail: string,
  ) {
    super('The token cannot be checked with its issuer right now');
  }
}

/**
 * The introspection endpoint refused this API's own client credentials (a wrong secret or key, a
 * client not allowed to introspect). Still 503, for the token may well be good; a reason of its
 * own, because no retry mends it: an operator has to.
 */
export class IntrospectionClientRefusedError extends IntrospectionUnavailableError {
  override readonly reason = 'introspection_client_refused' as const;

  constructor(
    issuer: string,
    retryAfterSeconds: number,
    /** The endpoint's HTTP status: 401 or 403, or another 4xx with `invalid_client`. */
    readonly status: number,
    /** The endpoint's RFC 6749 §5.2 `error` code (`invalid_client`), when it gave one. */
    readonly error?: string,
  ) {
    super(
      issuer,
      retryAfterSeconds,
      `the endpoint refused this API's own client credentials (HTTP ${status}${error === undefined ? '' : `, error ${error}`})`,
    );
  }
}

/** RFC 8935 §2.3: why a Security Event Token was not accepted, as the transmitter is told. */
export type SecurityEventErrorCode =
  | 'invalid_request'
  | 'invalid_key'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'authentication_failed'
  | 'access_denied';

/**
 * A Security Event Token (RFC 8417) refused: answered 400 with `{"err": code, "description"}`
 * (RFC 8935 §2.3), and nothing in it applied. Not an `OidcAuthError`: no API call is refused, a
 * transmitter's delivery is.
 */
export class SecurityEventError extends Error {
  constructor(
    readonly code: SecurityEventErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
