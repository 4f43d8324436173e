import type { ExecutionContext } from '@nestjs/common';
import type { OidcAuthError } from '../../protocol/errors/errors.js';
import type { BearerErrorResponse, RecoveryParameters } from '../../protocol/bearer/rfc6750.js';
import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import type { HttpExchange } from './http-exchange.js';

/** A verified caller together with the token that proved it. */
export interface Authentication {
  principal: OidcPrincipal;
  token: string;
  /** Epoch milliseconds after which the authentication must not be used (exp plus leeway). */
  validUntil: number;
  /** `dpop` when the caller proved possession of the token's key (RFC 9449) at authentication. */
  proof?: 'dpop';
}

/** What the guard needs to know about a token's location, beyond the token itself. */
export interface TokenLookup {
  allowQueryToken: boolean;
}

/**
 * How one kind of execution context (`context.getType()`) carries credentials and hears a refusal.
 * The guard's policy is the same for all of them; only these edges differ.
 */
export interface Transport {
  /**
   * The authentication established earlier for this call's connection (a WebSocket handshake, a
   * GraphQL subscription's `connection_init`), if any.
   */
  established(context: ExecutionContext): Authentication | undefined;
  /**
   * The authentication the guard already bound to this very call, when it runs more than once for
   * it (global and handler-level, or once per GraphQL field of one request). Never a connection's.
   */
  boundToCall(context: ExecutionContext): Authentication | undefined;
  /** The HTTP request behind the call (HTTP, GraphQL over HTTP), for DPoP proofs. */
  exchange?(context: ExecutionContext): HttpExchange | undefined;
  /** The call's bearer token. Throws `MissingTokenError` / `InvalidRequestError`. */
  token(context: ExecutionContext, lookup: TokenLookup): string;
  /** What the call's client certificate is read from (its HTTP request), if it can have one. */
  certificateCarrier?(context: ExecutionContext): CertificateCarrier | undefined;
  /** Makes the caller available to the handler (`@Principal()`, `@AccessToken()`). */
  bind(context: ExecutionContext, authentication: Authentication): void;
  authenticationOf(context: ExecutionContext): Authentication | undefined;
  /** A short name of the call for logs: `GET /notes`, `ws notes`, `graphql Query.notes`. */
  describe(context: ExecutionContext): string;
  /** The exception that reports a refusal the way this transport's clients expect. */
  refusal(
    err: OidcAuthError,
    answer: BearerErrorResponse,
    context: ExecutionContext,
  ): unknown | Promise<unknown>;
  /** Ends a long-lived connection whose authentication has run out. */
  end?(context: ExecutionContext, reason: string): void;
}

// Values from tokens and clients end up in log lines; keep them to one short printable line.
export function loggable(value: string | undefined): string | undefined {
  return value?.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

/**
 * How WebSocket and RPC clients hear a refusal: Nest's `{ status: 'error' }` shape, plus RFC 6750's
 * code and what the challenge header would tell the client to do (`acr_values`, `max_age`, `claims`).
 */
export function refusalPayload(answer: BearerErrorResponse): {
  status: 'error';
  statusCode: number;
  error: string;
  message: string;
} & RecoveryParameters {
  return {
    status: 'error',
    statusCode: answer.status,
    error: answer.code ?? 'unauthorized',
    message: answer.body.message,
    ...answer.parameters,
  };
}
