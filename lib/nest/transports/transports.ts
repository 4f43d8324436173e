import type { ExecutionContext } from '@nestjs/common';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import type { OidcAuthModuleOptions } from '../options/oidc-auth.options.js';
import { graphqlTransport } from './graphql.transport.js';
import { httpTransport } from './http.transport.js';
import { rpcTransport } from './rpc.transport.js';
import type { Authentication, Transport } from './transport.js';
import { wsTransport } from './ws.transport.js';

/** The transports the guard knows, by `ExecutionContext.getType()`; any other type is denied. */
export function transportsFor(options: OidcAuthModuleOptions): ReadonlyMap<string, Transport> {
  const queryParameter = options.websocket?.queryParameter;
  if (queryParameter !== undefined && (typeof queryParameter !== 'string' || !queryParameter)) {
    throw new OidcAuthConfigError('websocket.queryParameter', 'must be a non-empty string');
  }
  return new Map<string, Transport>([
    ['http', httpTransport],
    ['graphql', graphqlTransport],
    ['ws', wsTransport(options.websocket ?? {})],
    ['rpc', rpcTransport],
  ]);
}

const lookups = transportsFor({ issuers: [] });

/** The authentication the guard established for this call, whatever its transport. */
export function callAuthentication(context: ExecutionContext): Authentication | undefined {
  return lookups.get(context.getType())?.authenticationOf(context);
}
