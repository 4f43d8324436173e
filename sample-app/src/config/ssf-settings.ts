import { randomBytes } from 'node:crypto';
import {
  type RevocationOptions,
  type SecurityEventTransmitterOptions,
  TokenClient,
} from '../../../lib/index.js';
import { SettingsError } from './auth-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How the API receives its identity provider's security events (OpenID Shared Signals). */
export interface SsfSettings {
  /** The transmitter's issuer; `undefined`: the embedded provider. */
  transmitter?: string;
  /** The `aud` its SETs carry for this API; `undefined`: the API's resource URL. */
  audience?: string;
  delivery: 'push' | 'poll';
  pushPath: string;
  /** The `Authorization` value pushes must carry: `OIDC_SSF_PUSH_AUTHORIZATION`, else new at each start. */
  pushAuthorization: string;
  /** What authorizes the stream-management and poll requests. */
  access:
    | { bearer: string }
    | {
        /** Unset: the embedded provider's client for the API. */
        client?: { clientId: string; clientSecret: string };
        scopes: string[];
        resource?: string;
      };
}

function optional(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function httpUrl(name: string, value: string): string {
  if (URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol)) return value;
  throw new SettingsError(name, `must be an http(s) URL, got ${JSON.stringify(value)}`);
}

/**
 * With `OIDC_ISSUER`: `OIDC_SSF_TRANSMITTER` turns revocation by security events on (unset: off).
 * Embedded (`embedded`): the API is always the receiver of its own provider. `OIDC_SSF_DELIVERY`
 * (`push`, default, or `poll`), `OIDC_SSF_PUSH_PATH` (default `/ssf/events`),
 * `OIDC_SSF_PUSH_AUTHORIZATION`, `OIDC_SSF_AUDIENCE`; `OIDC_SSF_BEARER`, else a client-credentials
 * token of `OIDC_SSF_CLIENT_ID` / `OIDC_SSF_CLIENT_SECRET` (default: the introspection client)
 * for `OIDC_SSF_SCOPES` (default `ssf`) and `OIDC_SSF_RESOURCE` (default `<transmitter>/ssf`, as
 * the embedded provider wants).
 */
export function ssfSettingsFrom(env: Env, embedded: boolean): SsfSettings | undefined {
  const transmitter = optional(env, 'OIDC_SSF_TRANSMITTER');
  if (!embedded && transmitter === undefined) {
    for (const name of ['OIDC_SSF_DELIVERY', 'OIDC_SSF_BEARER', 'OIDC_SSF_AUDIENCE']) {
      if (optional(env, name)) throw new SettingsError(name, 'needs OIDC_SSF_TRANSMITTER');
    }
    return undefined;
  }
  if (transmitter !== undefined) httpUrl('OIDC_SSF_TRANSMITTER', transmitter);
  const delivery = optional(env, 'OIDC_SSF_DELIVERY') ?? 'push';
  if (delivery !== 'push' && delivery !== 'poll') {
    throw new SettingsError(
      'OIDC_SSF_DELIVERY',
      `must be push or poll, got ${JSON.stringify(delivery)}`,
    );
  }
  const pushPath = optional(env, 'OIDC_SSF_PUSH_PATH') ?? '/ssf/events';
  if (!pushPath.startsWith('/')) throw new SettingsError('OIDC_SSF_PUSH_PATH', 'must begin with /');
  const pushAuthorization =
    optional(env, 'OIDC_SSF_PUSH_AUTHORIZATION') ??
    `Bearer ${randomBytes(24).toString('base64url')}`;
  if (pushAuthorization.length < 16) {
    throw new SettingsError('OIDC_SSF_PUSH_AUTHORIZATION', 'must be 16 characters or more');
  }
  const audience = optional(env, 'OIDC_SSF_AUDIENCE');
  const bearer = optional(env, 'OIDC_SSF_BEARER');
  let access: SsfSettings['access'];
  if (bearer) {
    access = { bearer };
  } else {
    const clientId =
      optional(env, 'OIDC_SSF_CLIENT_ID') ?? optional(env, 'OIDC_INTROSPECTION_CLIENT_ID');
    const clientSecret =
      optional(env, 'OIDC_SSF_CLIENT_SECRET') ?? optional(env, 'OIDC_INTROSPECTION_CLIENT_SECRET');
    const resource = optional(env, 'OIDC_SSF_RESOURCE');
    if (!embedded && (!clientId || !clientSecret)) {
      throw new SettingsError(
        'OIDC_SSF_BEARER',
        'or OIDC_SSF_CLIENT_ID and OIDC_SSF_CLIENT_SECRET must be set: the stream needs a token',
      );
    }
    access = {
      client: clientId && clientSecret ? { clientId, clientSecret } : undefined,
      scopes: (optional(env, 'OIDC_SSF_SCOPES') ?? 'ssf').split(/\s+/),
      resource: resource && httpUrl('OIDC_SSF_RESOURCE', resource),
    };
  }
  return { transmitter, audience, delivery, pushPath, pushAuthorization, access };
}

/**
 * The module's `revocation` option for these settings. `transmitter`: its issuer (the embedded
 * provider's when not named); `tokenIssuer`: whose access tokens its events concern, and whose
 * token endpoint gives the client-credentials tokens; `client`: the client when the settings
 * name none.
 */
export function revocationOf(
  settings: SsfSettings,
  context: {
    apiUrl: string;
    transmitter: string;
    tokenIssuer: string;
    client?: { clientId: string; clientSecret: string };
    algorithms?: SecurityEventTransmitterOptions['algorithms'];
  },
): RevocationOptions {
  const push = settings.delivery === 'push';
  const { access } = settings;
  const client = 'bearer' in access ? undefined : (access.client ?? context.client);
  if (!('bearer' in access) && !client) {
    throw new SettingsError('OIDC_SSF_CLIENT_ID', 'must be set: the stream needs a token');
  }
  return {
    maxTokenLifetimeSeconds: 3600,
    ...(push && { push: { path: settings.pushPath } }),
    transmitters: [
      {
        issuer: context.transmitter,
        audience: settings.audience ?? context.apiUrl,
        tokenIssuers: [context.tokenIssuer],
        ...(context.algorithms && { algorithms: context.algorithms }),
        ...(push && { pushAuthorization: settings.pushAuthorization }),
        authorization:
          'bearer' in access
            ? { bearer: access.bearer }
            : {
                tokenClient: new TokenClient({ issuer: context.tokenIssuer, ...client! }),
                scopes: access.scopes,
                resource: access.resource ?? `${context.transmitter.replace(/\/+$/, '')}/ssf`,
              },
        stream: {
          delivery: settings.delivery,
          ...(push && { pushEndpoint: `${context.apiUrl}${settings.pushPath}` }),
          description: 'nest-oidc-auth sample notes API',
        },
      },
    ],
  };
}
