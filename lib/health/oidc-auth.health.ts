import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TokenVerifier } from '../core/jwt/token-verifier.js';

/** What the readiness check reports of one trusted issuer. */
export interface IssuerHealth {
  issuer: string;
  keysLoaded: boolean;
  keyCount: number;
  /** ISO time of the last successful key-set fetch. */
  fetchedAt?: string;
  ageSeconds?: number;
  lastError?: string;
}

/**
 * A @nestjs/terminus indicator (import it from `nest-oidc-auth/health`, so applications without
 * terminus never load it): `up` when every issuer's keys are loaded, `degraded` when some are
 * served from a key set whose last refresh failed (terminus 11: `up` with `degraded: true`), `down`
 * when an issuer has no keys at all, in which case its tokens are answered 503. Issuers the issuer
 * resolver approved are tenants' own providers, one of which failing does not make the API unready:
 * only their count is reported.
 */
@Injectable()
export class OidcAuthHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly verifier: TokenVerifier,
  ) {}

  issuers(now = Date.now()): IssuerHealth[] {
    return this.verifier.issuers.map((trusted) => {
      const status = trusted.keySet?.status();
      if (!status) return { issuer: trusted.issuer, keysLoaded: true, keyCount: 1 };
      return {
        issuer: trusted.issuer,
        keysLoaded: status.loaded,
        keyCount: status.keyCount,
        fetchedAt: status.fetchedAt?.toISOString(),
        ageSeconds: status.fetchedAt && Math.round((now - status.fetchedAt.getTime()) / 1000),
        lastError: status.lastError,
      };
    });
  }

  isHealthy(key = 'oidc') {
    const indicator = this.health.check(key);
    const issuers = this.issuers();
    const details = { issuers, resolvedIssuers: this.verifier.resolvedIssuerCount };
    if (issuers.some((i) => !i.keysLoaded)) return indicator.down(details);
    if (issuers.some((i) => i.lastError !== undefined)) {
      // Terminus 11 has no `degraded`: still serving is `up` there, flagged for whoever reads it.
      const session: { degraded?: unknown } = indicator;
      return typeof session.degraded === 'function'
        ? indicator.degraded(details)
        : indicator.up({ ...details, degraded: true });
    }
    return indicator.up(details);
  }
}
