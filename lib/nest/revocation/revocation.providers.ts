import { Logger, type Provider } from '@nestjs/common';
import { clockToleranceOf } from '../../core/jwt/create-verifier.js';
import { tunedKeySet } from '../../core/issuers/trusted-issuer.js';
import { RevocationList } from '../../core/revocation/revocation-list.js';
import { SecurityEventReceiver } from '../../core/revocation/security-event-receiver.js';
import { SharedRevocations } from '../../core/revocation/shared-revocations.js';
import {
  type SecurityEventTransmitter,
  SecurityEventTokenVerifier,
} from '../../core/revocation/security-event-token.js';
import type { OidcStore } from '../../core/store/store.js';
import { ssfConfigurationUrlOf } from '../../protocol/ssf/transmitter-metadata.js';
import {
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
  type OidcAuthModuleOptions,
} from '../options/oidc-auth.options.js';
import { revocationSettingsOf, type TransmitterSettings } from '../options/revocation.options.js';
import { loggable } from '../transports/transport.js';

/** `null` without the `revocation` option: the authenticator then never looks. */
export function createRevocationList(options: OidcAuthModuleOptions): RevocationList | null {
  if (!options.revocation) return null;
  const settings = revocationSettingsOf(options.revocation);
  return new RevocationList({
    maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
    maxEntries: settings.maxEntries,
    clockToleranceSeconds: clockToleranceOf(options),
  });
}

/**
 * The list as every replica holds it: through the store's log when the store has one (Redis),
 * else this process's alone. `null` without the `revocation` option.
 */
export function createSharedRevocations(
  options: OidcAuthModuleOptions,
  list: RevocationList | null,
  store: OidcStore,
): SharedRevocations | null {
  if (!options.revocation || !list) return null;
  const { replicas, maxTokenLifetimeSeconds, maxEntries } = revocationSettingsOf(
    options.revocation,
  );
  return new SharedRevocations({
    list,
    log: store.log,
    ttlMs: (maxTokenLifetimeSeconds + clockToleranceOf(options)) * 1000,
    maxLogEntries: maxEntries,
    resyncIntervalMs: replicas.resyncIntervalMs,
    maxStalenessMs: replicas.maxStalenessMs,
    whenStale: replicas.whenStale,
    onStale: (stale, cause) => reportStale(stale, replicas.whenStale, cause),
  });
}

const logger = new Logger('OidcAuthRevocation');

// Said once per change: a stale copy is an outage to act on, not a line per request.
function reportStale(stale: boolean, whenStale: 'refuse' | 'accept', cause: unknown): void {
  if (!stale) {
    logger.log('The revocation list is read from the store again: this replica is current');
    return;
  }
  const why = cause instanceof Error ? cause.message : String(cause);
  logger.warn(
    whenStale === 'refuse'
      ? `The revocation list cannot be read from the store (${loggable(why)}): tokens it does not refuse are answered 503 until it can`
      : `The revocation list cannot be read from the store (${loggable(why)}): tokens revoked on other replicas since may be accepted (whenStale: accept)`,
  );
}

/** `null` unless some transmitter is configured. */
export function createSecurityEventReceiver(
  options: OidcAuthModuleOptions,
  revocations: SharedRevocations | null,
  store: OidcStore,
): SecurityEventReceiver | null {
  if (!options.revocation || !revocations) return null;
  const settings = revocationSettingsOf(options.revocation);
  if (settings.transmitters.length === 0) return null;
  const tolerance = clockToleranceOf(options);
  const verifier = new SecurityEventTokenVerifier({
    transmitters: settings.transmitters.map((t) => transmitterOf(t, options)),
    clockToleranceSeconds: tolerance,
    maxAgeSeconds: settings.maxEventAgeSeconds,
  });
  return new SecurityEventReceiver({
    verifier,
    revocations,
    store,
    replayWindowSeconds: settings.maxEventAgeSeconds + tolerance,
    compareAuthTime: settings.compareAuthTime,
  });
}

// The transmitter's key set follows the module's `keys` tuning, outage and rotation rules included.
function transmitterOf(
  settings: TransmitterSettings,
  options: OidcAuthModuleOptions,
): SecurityEventTransmitter {
  return {
    issuer: settings.issuer,
    audiences: settings.audiences,
    keySet: tunedKeySet(
      settings.issuer,
      settings.jwksUri
        ? { kind: 'uri', jwksUri: settings.jwksUri }
        : // The SSF configuration names `issuer` and `jwks_uri` as OpenID discovery does.
          {
            kind: 'discovery',
            target: {
              issuer: settings.issuer,
              discoveryUri: ssfConfigurationUrlOf(settings.issuer),
            },
          },
      options.keys,
    ),
    algorithms: new Set(settings.algorithms),
    tokenIssuers: settings.tokenIssuers,
  };
}

export const revocationListProvider: Provider = {
  provide: RevocationList,
  useFactory: createRevocationList,
  inject: [OIDC_AUTH_OPTIONS],
};

export const sharedRevocationsProvider: Provider = {
  provide: SharedRevocations,
  useFactory: createSharedRevocations,
  inject: [OIDC_AUTH_OPTIONS, RevocationList, OIDC_AUTH_STORE],
};

export const securityEventReceiverProvider: Provider = {
  provide: SecurityEventReceiver,
  useFactory: createSecurityEventReceiver,
  inject: [OIDC_AUTH_OPTIONS, SharedRevocations, OIDC_AUTH_STORE],
};
