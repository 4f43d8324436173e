import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '../../core/jose/algorithms.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';

/**
 * Revocation before expiry, the module's `revocation` option: a token is refused once its subject,
 * session or client is revoked, whether by the application (`OidcRevocations`) or by a Security
 * Event Token its identity provider pushed (RFC 8935). Off unless set.
 */
export interface RevocationOptions {
  /**
   * The longest lifetime of an access token this API accepts, in seconds: a revocation is kept
   * this long (plus the clock tolerance), when every token it can refuse has expired. Default
   * 86400 (24 hours); a token living longer than this outlives its revocation.
   */
  maxTokenLifetimeSeconds?: number;
  /**
   * Revocations kept at most. Default 100,000. Once full, the oldest not-before entry is dropped
   * first, disabled accounts last.
   */
  maxEntries?: number;
  /**
   * `credential-change` and `credential-compromise` refuse tokens whose user authenticated
   * (`auth_time`, else `iat`) before the event, so that a token refreshed after a password reset
   * from the old login is refused too. Default true; false compares `iat` only.
   */
  compareAuthTime?: boolean;
  /** The identity providers whose Security Event Tokens (RFC 8417) are received. */
  transmitters?: readonly SecurityEventTransmitterOptions[];
  /**
   * How old a SET's `iat` may be, in seconds. Each accepted SET's `jti` is remembered this long
   * in the module's `store`, so an older one could not be told from a replay. Default 86400.
   */
  maxEventAgeSeconds?: number;
  /**
   * Receive SETs pushed over HTTP (RFC 8935) at `path` (default `/ssf/events`). Each transmitter
   * then needs its `pushAuthorization`. Bodies over `maxBytes` (default 65536) are refused.
   */
  push?: { path?: string; maxBytes?: number };
  /**
   * How the list is kept the same on every replica when the module's `store` is shared (the Redis
   * store): each revocation, pushed or the application's, is appended to the store's log and
   * reaches the other replicas' copies by pub/sub at once. Ignored with the in-memory store.
   */
  replicas?: RevocationReplicasOptions;
}

/** See `RevocationOptions.replicas`. */
export interface RevocationReplicasOptions {
  /**
   * How often each replica reads the log again, whatever pub/sub brought, so that a lost message
   * delays a revocation by this much at most. Default 5.
   */
  resyncIntervalSeconds?: number;
  /**
   * How long a replica's copy may go without a successful read of the log before it counts as
   * stale. Default 15; at least `resyncIntervalSeconds`.
   */
  maxStalenessSeconds?: number;
  /**
   * What a stale replica does with a token its copy does not refuse. `refuse` (the default): 503
   * with `Retry-After` (reason `revocations_unavailable`), since the token may have been revoked in
   * the meantime; `accept`: accepted, and a warning logged when the copy turns stale. Either way
   * the revocations the replica holds are enforced.
   */
  whenStale?: 'refuse' | 'accept';
  /**
   * How long the application's start waits for the log to be loaded, in seconds. Default 10. A
   * replica that could not load it in time starts stale and loads it at its next resync.
   */
  loadTimeoutSeconds?: number;
}

/** An SSF transmitter (an identity provider sending CAEP / RISC events). */
export interface SecurityEventTransmitterOptions {
  /** Its `iss` in SETs, compared exactly. */
  issuer: string;
  /** Where its signing keys are (its `ssf-configuration`'s `jwks_uri`). */
  jwksUri: string;
  /** This receiver as the transmitter addresses it: a SET's `aud` must name one of these. */
  audience: string | readonly string[];
  /**
   * The exact `Authorization` header value its pushes carry (`Bearer <secret>`, as the stream was
   * configured with). Required with `push`.
   */
  pushAuthorization?: string;
  /** Whose access tokens its `email` and `opaque` subjects refer to. Default: `[issuer]`. */
  tokenIssuers?: readonly string[];
  /** SET signature algorithms accepted. Default: RS256, PS256, ES256. */
  algorithms?: readonly AsymmetricAlgorithm[];
}

/** `RevocationOptions` checked, with their defaults. */
export interface RevocationSettings {
  maxTokenLifetimeSeconds: number;
  maxEntries: number;
  compareAuthTime: boolean;
  maxEventAgeSeconds: number;
  transmitters: readonly TransmitterSettings[];
  push?: { path: string; maxBytes: number };
  replicas: {
    resyncIntervalMs: number;
    maxStalenessMs: number;
    whenStale: 'refuse' | 'accept';
    loadTimeoutMs: number;
  };
}

export interface TransmitterSettings {
  issuer: string;
  jwksUri: string;
  audiences: readonly string[];
  pushAuthorization?: string;
  tokenIssuers: readonly string[];
  algorithms: readonly AsymmetricAlgorithm[];
}

const DEFAULT_SET_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'PS256', 'ES256'];

/** The checked settings, or the startup error naming the option. */
export function revocationSettingsOf(options: RevocationOptions): RevocationSettings {
  const maxTokenLifetimeSeconds = positive(
    'maxTokenLifetimeSeconds',
    options.maxTokenLifetimeSeconds ?? 86_400,
  );
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new OidcAuthConfigError('revocation.maxEntries', 'must be a positive integer');
  }
  const transmitters = (options.transmitters ?? []).map((t, i) => transmitterSettings(t, i));
  const issuers = new Set(transmitters.map((t) => t.issuer));
  if (issuers.size !== transmitters.length) {
    throw new OidcAuthConfigError('revocation.transmitters', 'lists an issuer twice');
  }
  let push: RevocationSettings['push'];
  if (options.push) {
    const path = options.push.path ?? '/ssf/events';
    if (!/^\/[\w\-./~]*$/.test(path)) {
      throw new OidcAuthConfigError('revocation.push.path', 'must be a path beginning with /');
    }
    const maxBytes = options.push.maxBytes ?? 65_536;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new OidcAuthConfigError('revocation.push.maxBytes', 'must be a positive integer');
    }
    if (transmitters.length === 0) {
      throw new OidcAuthConfigError('revocation.push', 'needs at least one transmitter');
    }
    const secrets = transmitters.map((t) => t.pushAuthorization);
    if (secrets.some((s) => s === undefined)) {
      throw new OidcAuthConfigError(
        'revocation.transmitters',
        'each need a pushAuthorization with push: an unauthenticated push endpoint takes anyone',
      );
    }
    if (new Set(secrets).size !== secrets.length) {
      throw new OidcAuthConfigError(
        'revocation.transmitters',
        'share a pushAuthorization: a push could not be told from another transmitter',
      );
    }
    push = { path, maxBytes };
  }
  return {
    maxTokenLifetimeSeconds,
    maxEntries,
    compareAuthTime: options.compareAuthTime ?? true,
    maxEventAgeSeconds: positive('maxEventAgeSeconds', options.maxEventAgeSeconds ?? 86_400),
    transmitters,
    push,
    replicas: replicasSettings(options.replicas ?? {}),
  };
}

function replicasSettings(options: RevocationReplicasOptions): RevocationSettings['replicas'] {
  const resync = positive('replicas.resyncIntervalSeconds', options.resyncIntervalSeconds ?? 5);
  const staleness = positive('replicas.maxStalenessSeconds', options.maxStalenessSeconds ?? 15);
  if (staleness < resync) {
    throw new OidcAuthConfigError(
      'revocation.replicas.maxStalenessSeconds',
      'must be at least resyncIntervalSeconds: a copy would turn stale between two reads',
    );
  }
  const whenStale = options.whenStale ?? 'refuse';
  if (whenStale !== 'refuse' && whenStale !== 'accept') {
    throw new OidcAuthConfigError('revocation.replicas.whenStale', "must be 'refuse' or 'accept'");
  }
  return {
    resyncIntervalMs: resync * 1000,
    maxStalenessMs: staleness * 1000,
    whenStale,
    loadTimeoutMs: positive('replicas.loadTimeoutSeconds', options.loadTimeoutSeconds ?? 10) * 1000,
  };
}

function transmitterSettings(
  options: SecurityEventTransmitterOptions,
  index: number,
): TransmitterSettings {
  const at = `revocation.transmitters[${index}]`;
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
    throw new OidcAuthConfigError(`${at}.issuer`, 'must be a non-empty string');
  }
  let url: URL | undefined;
  try {
    url = new URL(options.jwksUri);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OidcAuthConfigError(`${at}.jwksUri`, 'must be an http(s) URL');
  }
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || audiences.some((a) => !a)) {
    throw new OidcAuthConfigError(`${at}.audience`, 'must name this receiver');
  }
  const authorization = options.pushAuthorization;
  if (
    authorization !== undefined &&
    (typeof authorization !== 'string' || authorization.length < 16)
  ) {
    throw new OidcAuthConfigError(
      `${at}.pushAuthorization`,
      'must be the whole header value, 16 characters or more',
    );
  }
  const algorithms = options.algorithms ?? DEFAULT_SET_ALGORITHMS;
  if (algorithms.length === 0 || algorithms.some((a) => !ASYMMETRIC_ALGORITHMS.includes(a))) {
    throw new OidcAuthConfigError(`${at}.algorithms`, 'must list asymmetric JWS algorithms');
  }
  const tokenIssuers = options.tokenIssuers ?? [options.issuer];
  return {
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    audiences: [...audiences],
    pushAuthorization: authorization,
    tokenIssuers: [...tokenIssuers],
    algorithms: [...algorithms],
  };
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OidcAuthConfigError(`revocation.${name}`, 'must be a number of seconds > 0');
  }
  return value;
}
