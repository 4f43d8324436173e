import { Injectable } from '@nestjs/common';
import { OidcAuthError } from '../../protocol/errors/errors.js';
import type { KeyFetchOutcome } from '../../core/keys/key-fetch-report.js';
import { loadPeer } from '../peers/optional-peer.js';
import type { SecurityEventOutcome } from './oidc-auth.events.js';

type OpenTelemetryApi = typeof import('@opentelemetry/api');

// The little of the API's instruments used here, by shape: the declarations this file emits must
// not name `@opentelemetry/api`, which applications without it cannot resolve.
type Attributes = Record<string, string>;
interface Counter {
  add(value: number, attributes: Attributes): void;
}
interface Histogram {
  record(value: number, attributes: Attributes): void;
}
interface Span {
  setAttributes(attributes: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}
interface Tracer {
  startSpan(name: string): Span;
}

const INSTRUMENTATION_SCOPE = 'nest-oidc-auth';

/**
 * The module's OpenTelemetry instruments, when the optional peer `@opentelemetry/api` is installed
 * and an SDK has registered a meter or tracer provider before the application was created:
 * `oidc_auth.decisions`, `oidc_auth.verification.duration`, `oidc_auth.jwks.fetches`,
 * `oidc_auth.security_events`, `oidc_auth.revocation.refusals`, `oidc_auth.revocation.lag` and the
 * span `oidc_auth.verify`. Otherwise every instrument stays undefined and each hook is one property
 * check: no attribute object is built for a no-op API.
 */
@Injectable()
export class OidcAuthTelemetry {
  private decisions?: Counter;
  private verificationDuration?: Histogram;
  private keyFetches?: Counter;
  private securityEvents?: Counter;
  private revocationRefusals?: Counter;
  private revocationLag?: Histogram;
  private tracer?: Tracer;

  /** Binds to the providers registered by now; without `@opentelemetry/api`, to nothing. */
  static async create(): Promise<OidcAuthTelemetry> {
    const telemetry = new OidcAuthTelemetry();
    let api: OpenTelemetryApi;
    try {
      api = await loadPeer<OpenTelemetryApi>('@opentelemetry/api');
    } catch {
      return telemetry;
    }
    telemetry.bind(api);
    return telemetry;
  }

  private bind(api: OpenTelemetryApi): void {
    const meter = api.metrics.getMeter(INSTRUMENTATION_SCOPE);
    if (meter !== api.createNoopMeter()) {
      this.decisions = meter.createCounter('oidc_auth.decisions', {
        description: 'Authentication decisions, by outcome, refusal reason, issuer and transport',
      });
      this.verificationDuration = meter.createHistogram('oidc_auth.verification.duration', {
        description: 'Verifications of tokens not in the verified-token cache',
        unit: 's',
      });
      this.keyFetches = meter.createCounter('oidc_auth.jwks.fetches', {
        description: 'Fetches of issuer key sets, by issuer and outcome',
      });
      this.securityEvents = meter.createCounter('oidc_auth.security_events', {
        description:
          'Security Event Tokens received, by outcome (applied, ignored, duplicate, rejected, unavailable), transmitter, event type and RFC 8935 error code',
      });
      this.revocationRefusals = meter.createCounter('oidc_auth.revocation.refusals', {
        description: 'Tokens refused as revoked, by the event that revoked them and issuer',
      });
      this.revocationLag = meter.createHistogram('oidc_auth.revocation.lag', {
        description:
          "From a revocation's issue (its SET's iat, or the OidcRevocations call) to the first token it refused",
        unit: 's',
      });
    }
    // The global tracer provider is a proxy; it has a delegate only once an SDK registered one.
    const provider = api.trace.getTracerProvider();
    if (provider instanceof api.ProxyTracerProvider) {
      this.tracer = provider.getDelegateTracer(INSTRUMENTATION_SCOPE);
    } else {
      this.tracer = provider.getTracer(INSTRUMENTATION_SCOPE);
    }
  }

  /** Whether decisions are counted: describing one costs, so callers ask first. */
  get countsDecisions(): boolean {
    return this.decisions !== undefined;
  }

  decided(
    outcome: 'allowed' | 'refused',
    transport: string,
    issuer: string | undefined,
    reason: string | undefined,
  ): void {
    const attributes: Attributes = { outcome, transport };
    // Only issuers the module trusts: a token's unverified claims must not mint new time series.
    if (issuer !== undefined) attributes.issuer = issuer;
    if (reason !== undefined) attributes.reason = reason;
    this.decisions?.add(1, attributes);
  }

  keysFetched(issuer: string, outcome: KeyFetchOutcome): void {
    this.keyFetches?.add(1, { issuer, outcome });
  }

  /**
   * One SET delivered. `transmitter`: a configured transmitter's issuer, once the delivery is
   * authenticated; `type`: the event's short name (or `other`), once the SET is verified; `error`:
   * the RFC 8935 code of a rejected one. Never a value a SET says before it is verified.
   */
  securityEvent(
    outcome: SecurityEventOutcome,
    transmitter: string | undefined,
    type: string | undefined,
    error: string | undefined,
  ): void {
    if (!this.securityEvents) return;
    const attributes: Attributes = { outcome };
    if (transmitter !== undefined) attributes.transmitter = transmitter;
    if (type !== undefined) attributes.type = type;
    if (error !== undefined) attributes.error = error;
    this.securityEvents.add(1, attributes);
  }

  /**
   * A token refused as revoked by `event`; `lagSeconds` on the first token that revocation
   * refused only, so the histogram holds one value per revocation, not per retry.
   */
  revocationEnforced(event: string, issuer: string | undefined, lagSeconds?: number): void {
    if (!this.revocationRefusals) return;
    const attributes: Attributes = { event };
    if (issuer !== undefined) attributes.issuer = issuer;
    this.revocationRefusals.add(1, attributes);
    if (lagSeconds !== undefined) this.revocationLag?.record(lagSeconds, attributes);
  }

  /** Times one verification that missed the cache; undefined when nothing would record it. */
  startVerification(): ColdVerification | undefined {
    if (!this.verificationDuration && !this.tracer) return undefined;
    return new ColdVerification(
      this.verificationDuration,
      this.tracer?.startSpan('oidc_auth.verify'),
    );
  }
}

/** One cold verification under way: its duration and its span. */
export class ColdVerification {
  private readonly startedAt = performance.now();

  constructor(
    private readonly histogram: Histogram | undefined,
    private readonly span: Span | undefined,
  ) {}

  succeeded(issuer: string): void {
    this.end({ outcome: 'success', issuer });
  }

  failed(err: unknown): void {
    const attributes: Attributes = { outcome: 'failure' };
    if (err instanceof OidcAuthError) {
      attributes.reason = err.reason;
      if (err.issuer !== undefined) attributes.issuer = err.issuer;
    }
    // SpanStatusCode.ERROR; the enum is not imported so that this file loads without the API.
    this.span?.setStatus({
      code: 2,
      message: typeof attributes.reason === 'string' ? attributes.reason : 'error',
    });
    this.end(attributes);
  }

  private end(attributes: Attributes): void {
    this.histogram?.record((performance.now() - this.startedAt) / 1000, attributes);
    if (this.span) {
      this.span.setAttributes(attributes);
      this.span.end();
    }
  }
}
