import type { Provider } from '@nestjs/common';
import { clockToleranceOf } from '../../core/jwt/create-verifier.js';
import { tunedKeySet } from '../../core/issuers/trusted-issuer.js';
import { RevocationList } from '../../core/revocation/revocation-list.js';
import { SecurityEventReceiver } from '../../core/revocation/security-event-receiver.js';
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

/** `null` unless some transmitter is configured. */
export function createSecurityEventReceiver(
  options: OidcAuthModuleOptions,
  list: RevocationList | null,
  store: OidcStore,
): SecurityEventReceiver | null {
  if (!options.revocation || !list) return null;
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
    list,
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

export const securityEventReceiverProvider: Provider = {
  provide: SecurityEventReceiver,
  useFactory: createSecurityEventReceiver,
  inject: [OIDC_AUTH_OPTIONS, RevocationList, OIDC_AUTH_STORE],
};
