import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type OidcAuthError, TokenRevokedError } from '../../protocol/errors/errors.js';
import { protectedResourceMetadataUrl } from '../../protocol/metadata/resource-metadata.js';
import {
  type BearerErrorResponse,
  type ChallengeOptions,
  toBearerErrorResponse,
} from '../../protocol/bearer/rfc6750.js';
import { verifyCertificateBinding } from '../../core/mtls/certificate-binding.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { OpaqueTokenVerifier } from '../../core/opaque/opaque-token-verifier.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import { TokenVerifier, type VerifiedToken } from '../../core/jwt/token-verifier.js';
import { VerifiedTokenCache } from '../../core/jwt/verified-token-cache.js';
import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import { type CertificateReader, certificateReader } from '../options/mtls.options.js';
import { recheckConnectionTrust } from './connection-trust.js';
import { RevocationList } from '../../core/revocation/revocation-list.js';
import { refuseRevoked } from './revocation-check.js';
import { RevokedConnections } from './revoked-connections.js';
import { dpopAlgorithmsOf } from '../options/dpop.options.js';
import { OidcAuthEvents } from '../observability/oidc-auth.events.js';
import { OidcAuthTelemetry } from '../observability/oidc-auth.telemetry.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { RefusalLogLimiter } from '../observability/refusal-log-limiter.js';
import { type Authentication, loggable } from '../transports/transport.js';
import type { ColdVerification } from '../observability/oidc-auth.telemetry.js';

/** An authentication and whether it came from the verified-token cache. */
export interface Authenticated extends Authentication {
  cached: boolean;
}

/**
 * Turns a bearer token into an `Authentication`, and reports every decision (log line and
 * `OidcAuthEvents`). Shared by the guard and the handshakes of long-lived connections, so that a
 * WebSocket refused at its upgrade is logged and counted like an HTTP request.
 */
@Injectable()
export class OidcAuthenticator {
  private readonly logger = new Logger('OidcAuthGuard');
  private readonly toleranceMs: number;
  private readonly logLimiter: RefusalLogLimiter;
  private readonly certificates: CertificateReader;
  private challengeOptions?: ChallengeOptions;
  private readonly connections?: RevokedConnections;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly events: OidcAuthEvents,
    @Inject(OIDC_AUTH_OPTIONS) private readonly options: OidcAuthModuleOptions,
    @Optional() private readonly cache?: VerifiedTokenCache,
    @Optional() private readonly telemetry?: OidcAuthTelemetry,
    @Optional() private readonly opaque?: OpaqueTokenVerifier,
    @Optional() private readonly revocations?: RevocationList,
  ) {
    this.toleranceMs = (options.clockToleranceSeconds ?? 60) * 1000;
    const interval = options.refusalLogIntervalMs ?? 10_000;
    if (!Number.isFinite(interval) || interval < 0) {
      throw new OidcAuthConfigError(
        'refusalLogIntervalMs',
        'must be a number of milliseconds >= 0',
      );
    }
    this.logLimiter = new RefusalLogLimiter(interval);
    this.certificates = certificateReader(options.mtls);
    if (revocations) this.connections = new RevokedConnections(revocations);
  }

  /**
   * Synchronous whenever the token is cached or its key is in memory: a guard that returns a
   * promise costs Nest extra turns of the event loop on every request. Throws (or rejects with)
   * an `OidcAuthError`. `carrier`: the request (or upgrade request) the token came with, whose
   * client certificate a certificate-bound token must match; none for transports without one.
   */
  authenticate(
    token: string,
    carrier?: CertificateCarrier,
  ): Authenticated | Promise<Authenticated> {
    // Introspected tokens carry their cnf in the introspection response: bound the same way.
    if (this.opaque?.handles(token)) return this.bound(this.introspected(token), carrier);
    const cached = this.cache?.get(token);
    // A cached token is still bound: the binding is checked on every call, cached or not.
    if (cached) {
      return this.bound(this.stillActive(token, this.authenticated(token, cached, true)), carrier);
    }
    const timing = this.telemetry?.startVerification();
    const verified = timing ? timed(timing, () => this.verify(token)) : this.verify(token);
    return this.bound(verified, carrier);
  }

  private bound(
    authenticated: Authenticated | Promise<Authenticated>,
    carrier: CertificateCarrier | undefined,
  ): Authenticated | Promise<Authenticated> {
    if (authenticated instanceof Promise) {
      return authenticated.then((result) => this.bound(result, carrier));
    }
    const { principal } = authenticated;
    // After the cache, so that a cached token is refused the moment it is revoked.
    refuseRevoked(this.revocations, principal);
    const { claims } = principal;
    // Most tokens are not bound: no closure is made for them on the hot path.
    if (claims.cnf !== undefined)
      verifyCertificateBinding(claims, () => this.certificates(carrier));
    return authenticated;
  }

  private verify(token: string): Authenticated | Promise<Authenticated> {
    const verifiedNow = this.verifier.verifyNow(token);
    if (verifiedNow) return this.stillActive(token, this.remembered(token, verifiedNow));
    return this.verifier
      .verify(token)
      .then((verified) => this.stillActive(token, this.remembered(token, verified)));
  }

  private remembered(token: string, verified: VerifiedToken): Authenticated {
    const { principal, issuer, kid, key, trustedUntil } = verified;
    this.cache?.set(token, principal, issuer, kid, key, trustedUntil);
    return this.authenticated(token, principal, false);
  }

  /** The authentication of a token verified elsewhere (the passport strategy), for the guard. */
  authenticationOf(token: string, principal: OidcPrincipal): Authenticated {
    refuseRevoked(this.revocations, principal);
    return this.authenticated(token, principal, false);
  }

  /**
   * Whether an authentication established earlier is still good: its token not revoked since, its
   * issuer still trusted; `end` closes the connection when not (see `recheckConnectionTrust`).
   * Throws or rejects when it is not.
   */
  recheckTrust(
    authentication: Authentication,
    end: (reason: string) => void,
  ): void | Promise<void> {
    return recheckConnectionTrust(this.verifier, authentication, end, this.revocations);
  }

  /**
   * Calls `end` with the refusal's description as soon as the token of a connection's
   * authentication is revoked (on this replica or, with a shared store, on another), so that its
   * connection is closed then rather than at its next message. Returns the function that stops
   * watching, for when the connection closes. Without the `revocation` option it watches nothing.
   */
  onRevoked(authentication: Authentication, end: (reason: string) => void): () => void {
    return this.connections?.watch(authentication.principal, end) ?? (() => undefined);
  }

  // Opaque tokens: introspected, or their stored introspection result used again. Only a stored
  // result answers synchronously, so a synchronous answer is reported as cached.
  private introspected(token: string): Authenticated | Promise<Authenticated> {
    const timing = this.telemetry?.startVerification();
    const introspect = (): Authenticated | Promise<Authenticated> => {
      const principal = this.opaque!.verify(token);
      return principal instanceof Promise
        ? principal.then((p) => this.authenticated(token, p, false))
        : this.authenticated(token, principal, true);
    };
    return timing ? timed(timing, introspect) : introspect();
  }

  // JWTs of an issuer with `introspectJwts`: verified locally, then asked about for revocation.
  private stillActive(
    token: string,
    authenticated: Authenticated,
  ): Authenticated | Promise<Authenticated> {
    const issuer = authenticated.principal.issuer;
    if (!this.opaque?.introspectsJwtsOf(issuer)) return authenticated;
    const checked = this.opaque.checkActive(token, issuer);
    return checked instanceof Promise ? checked.then(() => authenticated) : authenticated;
  }

  /** Whether an authentication established earlier (at a handshake) may still be used. */
  isCurrent(authentication: Authentication, now = Date.now()): boolean {
    return now <= authentication.validUntil;
  }

  /** Whether anyone listens to allowed calls; describing a call costs, so callers ask first. */
  get reportsAllowed(): boolean {
    return this.events.observed || this.telemetry?.countsDecisions === true;
  }

  /** `transport`: the Nest context type (`http`, `graphql`, `ws`, `rpc`) of the call. */
  allowed(transport: string, call: string, authenticated: Authenticated): void {
    const { principal } = authenticated;
    if (this.telemetry?.countsDecisions) {
      this.telemetry.decided('allowed', transport, principal.issuer, undefined);
    }
    if (!this.events.observed) return;
    this.events.emit({
      outcome: 'allowed',
      route: call,
      issuer: principal.issuer,
      subject: principal.subject,
      clientId: principal.clientId,
      cached: authenticated.cached,
    });
  }

  /**
   * Logs the refusal (never the token; at most one line per reason per `refusalLogIntervalMs`),
   * tells subscribers of every single one, and maps it per RFC 6750. `route`: the scopes the
   * refused route needs and its resource's metadata, where the call has a route.
   */
  refused(
    transport: string,
    call: string,
    err: OidcAuthError,
    principal: OidcPrincipal | undefined,
    route?: Pick<ChallengeOptions, 'scope' | 'resourceMetadata'>,
  ): BearerErrorResponse {
    const base = this.challenge();
    const answer = toBearerErrorResponse(
      err,
      route ? { ...base, scope: route.scope, resourceMetadata: route.resourceMetadata } : base,
    );
    const event = {
      outcome: 'refused' as const,
      route: call,
      status: answer.status,
      reason: err.reason,
      ...(err instanceof TokenRevokedError && { revokedBy: err.event }),
      issuer: loggable(principal?.issuer ?? err.issuer),
      subject: loggable(principal?.subject),
      clientId: loggable(principal?.clientId),
    };
    const unlogged = this.logLimiter.admit(err.reason);
    if (unlogged !== undefined) {
      const who = [
        event.issuer && `issuer=${event.issuer}`,
        event.subject && `subject=${event.subject}`,
        event.clientId && `client=${event.clientId}`,
      ].filter(Boolean);
      this.logger.warn(
        `Refused ${call} with ${event.status}: ${event.reason}${who.length ? ` (${who.join(' ')})` : ''}${unlogged}`,
      );
    }
    if (this.events.observed) this.events.emit(event);
    if (this.telemetry?.countsDecisions) {
      const issuer = principal?.issuer ?? err.issuer;
      this.telemetry.decided('refused', transport, issuer, err.reason);
      if (err instanceof TokenRevokedError) {
        this.telemetry.revocationEnforced(err.event, issuer, err.details.lagSeconds);
      }
    }
    return answer;
  }

  private authenticated(token: string, principal: OidcPrincipal, cached: boolean): Authenticated {
    return {
      principal,
      token,
      validUntil: principal.expiresAt.getTime() + this.toleranceMs,
      cached,
    };
  }

  // Built on first use: ProtectedResources reports a bad resource URL at startup first.
  private challenge(): ChallengeOptions {
    const resource = this.options.protectedResource?.resource;
    this.challengeOptions ??= {
      realm: this.options.realm ?? 'api',
      resourceMetadata: resource && protectedResourceMetadataUrl(resource),
      dpopAlgorithms: dpopAlgorithmsOf(this.options.dpop),
    };
    return this.challengeOptions;
  }
}

function timed(
  timing: ColdVerification,
  verify: () => Authenticated | Promise<Authenticated>,
): Authenticated | Promise<Authenticated> {
  let result: Authenticated | Promise<Authenticated>;
  try {
    result = verify();
  } catch (err) {
    timing.failed(err);
    throw err;
  }
  if (!(result instanceof Promise)) {
    timing.succeeded(result.principal.issuer);
    return result;
  }
  return result.then(
    (authenticated) => {
      timing.succeeded(authenticated.principal.issuer);
      return authenticated;
    },
    (err: unknown) => {
      timing.failed(err);
      throw err;
    },
  );
}
