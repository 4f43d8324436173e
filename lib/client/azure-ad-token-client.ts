import type { TokenClientOptions } from './token-client.js';

export interface AzureAdTokenClientOptions {
  /** Directory (tenant) id whose token endpoint is used. */
  tenantId: string;
  /** This API's application (client) id. */
  clientId: string;
  /** The client secret (client_secret_basic). */
  clientSecret?: string;
  /** A certificate's key, for private_key_jwt (`kid`: the certificate's thumbprint as Entra expects). */
  clientAssertion?: TokenClientOptions['clientAssertion'];
  /** Login host; national clouds use another one. Default `https://login.microsoftonline.com`. */
  instance?: string;
}

/**
 * `TokenClient` options for Entra ID: its v2 token endpoint, and the on-behalf-of flow for calling
 * downstream APIs as the user (Entra does not implement RFC 8693 token exchange).
 */
export function azureAdTokenClient(options: AzureAdTokenClientOptions): TokenClientOptions {
  const instance = (options.instance ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  return {
    tokenEndpoint: `${instance}/${options.tenantId}/oauth2/v2.0/token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientAssertion: options.clientAssertion,
    exchange: 'on-behalf-of',
  };
}
