import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  dpopProofHeader,
  dpopSchemeToken,
  usesDPoPScheme,
} from '../../protocol/dpop/dpop-credentials.js';
import { InvalidTokenError, OidcAuthError } from '../../protocol/errors/errors.js';
import { DPoPNonces } from '../../core/dpop/dpop-nonce.js';
import { boundThumbprint, DPoPProofVerifier } from '../../core/dpop/dpop-proof.js';
import { DPoPReplayCache } from '../../core/dpop/dpop-replay.js';
import type { OidcStore } from '../../core/store/store.js';
import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import { dpopOrigins } from '../options/dpop.options.js';
import { type DPoPHttpRequest, requestHtuOf } from './dpop-request.js';
import { type Authenticated, OidcAuthenticator } from '../authentication/oidc-authenticator.js';
import {
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
  type OidcAuthModuleOptions,
} from '../options/oidc-auth.options.js';
import type { HttpExchange } from '../transports/http-exchange.js';
import type { Authentication } from '../transports/transport.js';

type Scheme = 'Bearer' | 'DPoP';

/**
 * Sender-constrained tokens (RFC 9449) in front of the authenticator: reads `Authorization: DPoP`
 * and its proof, checks the proof against the request and the token's `cnf.jkt`, remembers the
 * proof id, and refuses a bound token sent as `Bearer` (no downgrade). The token itself is still
 * the authenticator's, cache included: a cached token is checked against a new proof every time.
 */
@Injectable()
export class DPoPGate {
  private readonly logger = new Logger('OidcAuthDPoP');
  private readonly required: boolean;
  private readonly proofs?: DPoPProofVerifier;
  private readonly replay?: DPoPReplayCache;
  private readonly nonces?: DPoPNonces;
  private readonly trustProxy: boolean;
  private readonly origins?: ReadonlySet<string>;

  constructor(
    private readonly authenticator: OidcAuthenticator,
    @Inject(OIDC_AUTH_OPTIONS) options: OidcAuthModuleOptions,
    @Inject(OIDC_AUTH_STORE) store: OidcStore,
  ) {
    const dpop = options.dpop ?? {};
    this.required = dpop.mode === 'required';
    this.trustProxy = dpop.trustProxy === true;
    this.origins = dpopOrigins(dpop.origins);
    if (dpop.mode === 'off') return;
    this.nonces = dpop.nonce && new DPoPNonces(dpop.nonce.secret, dpop.nonce.lifetimeSeconds);
    this.proofs = new DPoPProofVerifier({
      algorithms: dpop.algorithms,
      maxAgeSeconds: dpop.maxAgeSeconds,
      futureSeconds: dpop.futureSeconds,
      nonces: this.nonces,
    });
    this.replay = new DPoPReplayCache({
      store,
      windowMs: this.proofs.replayWindowMs,
      onStoreFailure: dpop.onStoreFailure,
      warn: (message) => this.logger.warn(message),
    });
  }

  /**
   * Authenticates a call: by `Authorization: DPoP` and its proof when the call came over HTTP and
   * DPoP is on, else by the `bearer` token, which must not be DPoP-bound. `dpopOnly`: the route
   * requires DPoP (`@RequireDPoP()`). `carrier`: what a certificate-bound token's client certificate
   * is read from (RFC 8705), the HTTP request by default; a token bound both ways needs both. Throws (or rejects with) an `OidcAuthError` that knows the
   * scheme the request used, for the challenge.
   */
  authenticate(
    exchange: HttpExchange | undefined,
    bearer: () => string,
    dpopOnly: boolean,
    carrier: CertificateCarrier | undefined = exchange?.request,
  ): Authenticated | Promise<Authenticated> {
    const required = dpopOnly || this.required;
    let scheme: Scheme | undefined;
    const refused = (err: unknown): never => {
      if (err instanceof OidcAuthError) err.presentation = { scheme, dpopOnly: required };
      throw err;
    };
    try {
      const request = exchange?.request;
      const authorization = request?.headers?.authorization;
      if (!this.proofs || !request || !usesDPoPScheme(authorization)) {
        const bearerToken = bearer();
        scheme = 'Bearer';
        if (required) {
          throw new InvalidTokenError(
            'dpop_required',
            'This resource requires a DPoP-bound access token, sent as "DPoP <token>" with a DPoP proof',
          );
        }
        return then(this.authenticator.authenticate(bearerToken, carrier), bearerOnly, refused);
      }
      scheme = 'DPoP';
      const token = dpopSchemeToken(authorization);
      const proof = dpopProofHeader(request.headers?.dpop);
      return then(
        this.authenticator.authenticate(token, carrier),
        (authenticated) => this.proven(authenticated, proof, exchange!),
        refused,
      );
    } catch (err) {
      return refused(err);
    }
  }

  private proven(
    authenticated: Authenticated,
    proof: string,
    exchange: HttpExchange,
  ): Authenticated | Promise<Authenticated> {
    const jkt = boundThumbprint(authenticated.principal.claims);
    if (jkt === undefined) {
      throw new InvalidTokenError(
        'dpop_token_not_bound',
        'The access token is not DPoP-bound: send it as "Bearer <token>"',
      );
    }
    if (jkt === null) {
      throw new InvalidTokenError(
        'dpop_binding_mismatch',
        'The access token cnf claim is malformed',
      );
    }
    const request = exchange.request as DPoPHttpRequest;
    const nowMs = Date.now();
    const checked = this.proofs!.verify(proof, {
      method: request.method ?? 'GET',
      htu: requestHtuOf(request, this.trustProxy, this.origins),
      accessToken: authenticated.token,
      nowMs,
    });
    if (checked.thumbprint !== jkt) {
      throw new InvalidTokenError(
        'dpop_binding_mismatch',
        'The DPoP proof key is not the key the access token is bound to',
      );
    }
    const remembered = this.replay!.remember(checked, nowMs);
    if (remembered === undefined) return this.accepted(authenticated, exchange, nowMs);
    return remembered.then(() => this.accepted(authenticated, exchange, nowMs));
  }

  /**
   * For a call on a connection authenticated earlier (a WebSocket message): a route that requires
   * DPoP (or `mode: 'required'`) takes it only if the handshake proved possession of the key.
   */
  checkEstablished(authentication: Authentication, dpopOnly: boolean): void {
    if ((dpopOnly || this.required) && authentication.proof !== 'dpop') {
      const err = new InvalidTokenError(
        'dpop_required',
        'This resource requires a connection authenticated with DPoP',
      );
      err.presentation = { scheme: 'Bearer', dpopOnly: true };
      throw err;
    }
  }

  // RFC 9449 §8.2: a fresh nonce with every accepted request, so that clients never wait on a 401.
  private accepted(
    authenticated: Authenticated,
    exchange: HttpExchange,
    nowMs: number,
  ): Authenticated {
    authenticated.proof = 'dpop';
    if (this.nonces && exchange.response) {
      const nonce = this.nonces.issue(nowMs);
      if (typeof exchange.response.header === 'function')
        exchange.response.header('DPoP-Nonce', nonce);
      else exchange.response.setHeader?.('DPoP-Nonce', nonce);
    }
    return authenticated;
  }
}

/**
 * Refuses a DPoP-bound token (`cnf.jkt`) presented without a proof: as `Bearer`, or where no proof
 * can come (socket.io `auth`, graphql-ws `connectionParams`, microservices). No downgrade.
 */
export function bearerOnly(authenticated: Authenticated): Authenticated {
  if (boundThumbprint(authenticated.principal.claims) !== undefined) {
    throw new InvalidTokenError(
      'dpop_bound_token_as_bearer',
      'The access token is DPoP-bound: send it as "DPoP <token>" with a DPoP proof',
    );
  }
  return authenticated;
}

/** `next(value)` for a value or a promise of one; refusals of either go through `fail`. */
export function then<T, R>(
  value: T | Promise<T>,
  next: (value: T) => R | Promise<R>,
  fail: (err: unknown) => never,
): R | Promise<R> {
  if (value instanceof Promise) return value.then(next).catch(fail);
  try {
    const result = next(value);
    return result instanceof Promise ? result.catch(fail) : result;
  } catch (err) {
    return fail(err);
  }
}
