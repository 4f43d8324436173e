import { Injectable } from '@nestjs/common';
import { OidcAuthError } from '../../protocol/errors/errors.js';
import type { KeyFetchOutcome } from '../../core/keys/key-fetch-report.js';
import { loadPeer } from '../peers/optional-peer.js';

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
 * `oidc_auth.decisions`, `oidc_auth.verification.duration`, `oidc_auth.jwks.fetches` and the span
 * `oidc_auth.verify`. Otherwise every instrument stays undefined and each hook is one property
 * check: no attribute object is built for a no-op API.
 */
@Injectable()
export class OidcAuthTelemetry {
  private decisions?: Counter;
  private verificationDuration?: Histogram;
  private keyFetches?: Counter;
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
