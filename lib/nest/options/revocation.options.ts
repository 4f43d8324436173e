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
  push?: {
    /** The path of the push endpoint. Default `/ssf/events`. */
    path?: string;
    /** Largest SET request body accepted (bytes). Default 65536. */
    maxBytes?: number;
  };
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

/**
 * Something that hands out client-credentials tokens: the module's `TokenClient` (or any object
 * with its `getAppToken`).
 */
export interface AppTokenSource {
  getAppToken(target: { scopes?: readonly string[]; resource?: string }): Promise<string>;
  /** Forgets a token the transmitter refused (401), so that the next request gets a new one. */
  evict?(accessToken: string): void;
}

/**
 * What authorizes this receiver at a transmitter's stream-management and poll endpoints: a bearer
 * token it gave, or a client-credentials token for `scopes` / `resource` (RFC 8707), renewed
 * before it expires.
 */
export type SecurityEventAuthorization =
  | {
      /** A bearer token the transmitter issued to this receiver, sent as it is. */
      bearer: string;
    }
  | {
      /** Gets the client-credentials token (a `TokenClient`). */
      tokenClient: AppTokenSource;
      /** The scopes the token is asked for. */
      scopes?: readonly string[];
      /** The resource (RFC 8707) the token is asked for. */
      resource?: string;
    };

/** Poll delivery (RFC 8936): the module asks the transmitter for SETs, from every replica. */
export interface SecurityEventPollOptions {
  /** The stream's poll endpoint. Default: the one the transmitter names in the managed `stream`. */
  endpoint?: string;
  /** SETs asked for at most per request. Default 100. */
  maxEvents?: number;
  /**
   * Long poll: how long the transmitter may hold a request while it has nothing to send, in
   * seconds. Default 30. 0 asks it to answer at once, and polls again after `intervalSeconds`.
   */
  waitSeconds?: number;
  /** With `waitSeconds: 0`, the pause after an empty answer. Default 5. */
  intervalSeconds?: number;
}

/**
 * Stream management (SSF 1.0 §8): at startup the module finds its stream at the transmitter's
 * `configuration_endpoint` (from its SSF configuration) or creates it, asking for the events it
 * acts on and this delivery; then asks the transmitter to verify it.
 */
export interface SecurityEventStreamOptions {
  /** `push` to `pushEndpoint` with the transmitter's `pushAuthorization`, or `poll`. */
  delivery: 'push' | 'poll';
  /** With `push`: this receiver's push endpoint as the transmitter reaches it (an http(s) URL). */
  pushEndpoint?: string;
  /** The stream's description at the transmitter. Default `nest-oidc-auth`. */
  description?: string;
}

/** An SSF transmitter (an identity provider sending CAEP / RISC events). */
export interface SecurityEventTransmitterOptions {
  /** Its `iss` in SETs, compared exactly. */
  issuer: string;
  /**
   * Where its signing keys are. Default: the `jwks_uri` of its SSF configuration, read at
   * `/.well-known/ssf-configuration` under its issuer (SSF 1.0 §7), whose `issuer` must match.
   */
  jwksUri?: string;
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
  /** Authorizes `stream` management and `poll` requests; required with either. */
  authorization?: SecurityEventAuthorization;
  /** Receive its SETs by polling (RFC 8936). */
  poll?: SecurityEventPollOptions;
  /** Manage the stream at the transmitter (SSF 1.0 §8) rather than configure it there by hand. */
  stream?: SecurityEventStreamOptions;
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
  /** Undefined: discovered. */
  jwksUri?: string;
  audiences: readonly string[];
  pushAuthorization?: string;
  tokenIssuers: readonly string[];
  algorithms: readonly AsymmetricAlgorithm[];
  authorization?: SecurityEventAuthorization;
  poll?: PollSettings;
  stream?: { delivery: 'push' | 'poll'; pushEndpoint?: string; description: string };
}

export interface PollSettings {
  endpoint?: string;
  maxEvents: number;
  waitSeconds: number;
  intervalMs: number;
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
    const pushing = transmitters.filter((t) => !t.poll);
    const secrets = pushing.map((t) => t.pushAuthorization);
    if (secrets.length === 0 || secrets.some((s) => s === undefined)) {
      throw new OidcAuthConfigError(
        'revocation.transmitters',
        'each need a pushAuthorization with push, unless polled: an unauthenticated push endpoint takes anyone',
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
  transmitters.forEach((t, i) => {
    if (t.stream?.delivery === 'push' && !push) {
      throw new OidcAuthConfigError(
        `revocation.transmitters[${i}].stream`,
        'asks for push delivery: revocation.push must be set',
      );
    }
  });
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
  httpUrl(`${at}.issuer`, options.issuer, options.jwksUri === undefined);
  httpUrl(`${at}.jwksUri`, options.jwksUri);
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
  const stream = options.stream && streamSettings(options.stream, authorization, at);
  if (stream?.delivery === 'push' && options.poll) {
    throw new OidcAuthConfigError(`${at}.poll`, 'contradicts stream.delivery: push');
  }
  const poll =
    options.poll || stream?.delivery === 'poll'
      ? pollSettings(options.poll ?? {}, `${at}.poll`)
      : undefined;
  if (poll && !poll.endpoint && stream?.delivery !== 'poll') {
    throw new OidcAuthConfigError(
      `${at}.poll.endpoint`,
      'must be set unless the module manages a poll stream (stream.delivery: poll)',
    );
  }
  if ((stream || poll) && !authorizationOk(options.authorization)) {
    throw new OidcAuthConfigError(
      `${at}.authorization`,
      'must be { bearer } or { tokenClient } to manage a stream or poll',
    );
  }
  return {
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    audiences: [...audiences],
    pushAuthorization: authorization,
    tokenIssuers: [...tokenIssuers],
    algorithms: [...algorithms],
    authorization: options.authorization,
    poll,
    stream,
  };
}

function streamSettings(
  options: SecurityEventStreamOptions,
  pushAuthorization: string | undefined,
  at: string,
): NonNullable<TransmitterSettings['stream']> {
  const { delivery, pushEndpoint } = options;
  if (delivery !== 'push' && delivery !== 'poll') {
    throw new OidcAuthConfigError(`${at}.stream.delivery`, 'must be push or poll');
  }
  if (delivery === 'push') {
    httpUrl(`${at}.stream.pushEndpoint`, pushEndpoint, true);
    if (!pushAuthorization) {
      throw new OidcAuthConfigError(
        `${at}.pushAuthorization`,
        'must be set with stream.delivery: push (the stream is configured to send it)',
      );
    }
  } else if (pushEndpoint !== undefined) {
    throw new OidcAuthConfigError(`${at}.stream.pushEndpoint`, 'is for push delivery only');
  }
  return { delivery, pushEndpoint, description: options.description ?? 'nest-oidc-auth' };
}

function pollSettings(options: SecurityEventPollOptions, at: string): PollSettings {
  httpUrl(`${at}.endpoint`, options.endpoint);
  const maxEvents = options.maxEvents ?? 100;
  if (!Number.isSafeInteger(maxEvents) || maxEvents < 1 || maxEvents > 10_000) {
    throw new OidcAuthConfigError(`${at}.maxEvents`, 'must be an integer from 1 to 10000');
  }
  const waitSeconds = options.waitSeconds ?? 30;
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 300) {
    throw new OidcAuthConfigError(`${at}.waitSeconds`, 'must be a number of seconds from 0 to 300');
  }
  const interval = options.intervalSeconds ?? 5;
  if (!Number.isFinite(interval) || interval <= 0) {
    throw new OidcAuthConfigError(`${at}.intervalSeconds`, 'must be a number of seconds > 0');
  }
  return { endpoint: options.endpoint, maxEvents, waitSeconds, intervalMs: interval * 1000 };
}

function authorizationOk(value: SecurityEventAuthorization | undefined): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if ('bearer' in value) return typeof value.bearer === 'string' && value.bearer.length > 0;
  return typeof value.tokenClient?.getAppToken === 'function';
}

// `required`: undefined is refused too.
function httpUrl(name: string, value: string | undefined, required = false): void {
  if (value === undefined && !required) return;
  let url: URL | undefined;
  try {
    url = new URL(value as string);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OidcAuthConfigError(name, 'must be an http(s) URL');
  }
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OidcAuthConfigError(`revocation.${name}`, 'must be a number of seconds > 0');
  }
  return value;
}
