import { readFileSync } from 'node:fs';
import type { MtlsOptions } from '../../../lib/index.js';
import { SettingsError } from './auth-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How the sample serves (https or http) and where certificate-bound tokens find the client's certificate. */
export interface TlsSettings {
  /** Node `https` options; absent: plain http. */
  https?: {
    cert: Buffer;
    key: Buffer;
    ca?: Buffer;
    requestCert: true;
    rejectUnauthorized: false;
  };
  mtls?: MtlsOptions;
}

function file(env: Env, name: string): Buffer | undefined {
  const path = env[name]?.trim();
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SettingsError(name, `cannot be read: ${(err as Error).message}`);
  }
}

/**
 * `TLS_CERT_FILE` + `TLS_KEY_FILE` (PEM) serve https and ask every client for a certificate without
 * requiring one: bearer tokens keep working without, certificate-bound tokens need theirs.
 * `TLS_CA_FILE` names the CAs whose certificates clients are asked for. `OIDC_MTLS_CERT_HEADER`
 * takes the client certificate from that header (URL-encoded PEM, set by a TLS-terminating proxy)
 * instead of from the connection.
 */
export function tlsSettingsFrom(env: Env): TlsSettings {
  const cert = file(env, 'TLS_CERT_FILE');
  const key = file(env, 'TLS_KEY_FILE');
  const ca = file(env, 'TLS_CA_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    throw new SettingsError(
      cert ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE',
      'must be set together with the other of TLS_CERT_FILE and TLS_KEY_FILE',
    );
  }
  if (ca && !cert) throw new SettingsError('TLS_CA_FILE', 'needs TLS_CERT_FILE and TLS_KEY_FILE');
  const header = env.OIDC_MTLS_CERT_HEADER?.trim();
  return {
    https:
      cert && key ? { cert, key, ca, requestCert: true, rejectUnauthorized: false } : undefined,
    mtls: header ? { certificateHeader: header } : undefined,
  };
}

/**
 * `DEV_IDP_CLIENT_METADATA_CA_FILE` (PEM): CAs the embedded provider trusts, besides the system's,
 * for client ID metadata documents an MCP client serves on this machine (https on 127.0.0.1 or
 * localhost, e.g. under a mkcert certificate).
 */
export function clientMetadataCaFrom(env: Env): Buffer | undefined {
  return file(env, 'DEV_IDP_CLIENT_METADATA_CA_FILE');
}
