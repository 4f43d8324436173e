import type { ExecutionContext } from '@nestjs/common';
import { extractBearerToken } from '../../protocol/bearer/bearer-token.js';
import { InvalidRequestError, MissingTokenError } from '../../protocol/errors/errors.js';
import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import { authenticationOf, bindAuthentication } from './call-authentications.js';
import { type ClientFacingException, loadPeer } from '../peers/optional-peer.js';
import type { WebSocketTokenOptions } from '../options/websocket.options.js';
import { loggable, refusalPayload, type TokenLookup, type Transport } from './transport.js';

/** The close code RFC 6455 §7.4.1 gives to a policy violation: the token is gone or ran out. */
export const POLICY_VIOLATION = 1008;

interface SocketIoHandshake {
  headers?: Record<string, string | string[] | undefined>;
  auth?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

interface WsClient {
  handshake?: SocketIoHandshake;
  /** socket.io: the request that opened the connection. */
  request?: CertificateCarrier;
  close?(code: number, reason: string): void;
  emit?(event: string, payload: unknown): unknown;
  disconnect?(close: boolean): unknown;
  readyState?: number;
}

function queryToken(query: unknown, options: WebSocketTokenOptions): unknown {
  const name = options.queryParameter;
  return name && typeof query === 'object' && query !== null
    ? (query as Record<string, unknown>)[name]
    : undefined;
}

/** The token of a WebSocket upgrade request: the `Authorization` header or, if enabled, the query. */
export function upgradeRequestToken(
  request: { url?: string; headers: Record<string, string | string[] | undefined> },
  options: WebSocketTokenOptions,
): string {
  const query = options.queryParameter
    ? new URL(request.url ?? '/', 'ws://localhost').searchParams.getAll(options.queryParameter)
    : [];
  return extractBearerToken({
    authorization: request.headers.authorization,
    query: query.length === 0 ? undefined : query.length === 1 ? query[0] : query,
    allowQuery: true,
  });
}

/**
 * The token of a socket.io handshake: `auth: { token }` (what socket.io clients send, with or
 * without the `Bearer ` prefix), the `Authorization` header, or, if enabled, the query.
 */
export function socketIoHandshakeToken(
  handshake: SocketIoHandshake,
  options: WebSocketTokenOptions,
): string {
  const auth = handshake.auth?.token;
  if (auth === undefined) {
    return extractBearerToken({
      authorization: handshake.headers?.authorization,
      query: queryToken(handshake.query, options),
      allowQuery: true,
    });
  }
  if (handshake.headers?.authorization !== undefined) {
    throw new InvalidRequestError(
      'The handshake carries a token in both auth.token and the Authorization header',
    );
  }
  if (typeof auth !== 'string') throw new InvalidRequestError('auth.token must be a string');
  return extractBearerToken({
    authorization: /^bearer /i.test(auth) ? auth : `Bearer ${auth}`,
    query: undefined,
    allowQuery: false,
  });
}

/** Ends a connection whose token is gone: close code 1008 for `ws`, a server disconnect for socket.io. */
export function endConnection(client: WsClient, reason: string): void {
  if (typeof client.close === 'function' && typeof client.readyState === 'number') {
    client.close(POLICY_VIOLATION, reason);
  } else if (typeof client.disconnect === 'function') {
    client.emit?.('exception', { status: 'error', error: 'invalid_token', message: reason });
    client.disconnect(true);
  }
}

const client = (context: ExecutionContext) => context.switchToWs().getClient<WsClient>();

/**
 * `@nestjs/websockets` gateways, on the `ws` and the socket.io adapters. Connections are
 * authenticated at the handshake (`OidcWsAdapter`, `OidcIoAdapter`); each message is then checked
 * against its handler's policy and the token's expiry.
 */
export function wsTransport(options: WebSocketTokenOptions): Transport {
  return {
    established: (context) => authenticationOf(client(context)),
    // Nest builds one context per message for all its guards: the global and the handler's.
    boundToCall: (context) => authenticationOf(context),
    token(context, _lookup: TokenLookup) {
      const handshake = client(context).handshake;
      // A plain `ws` socket keeps nothing of its upgrade request: only the adapter could have read it.
      if (!handshake) throw new MissingTokenError();
      return socketIoHandshakeToken(handshake, options);
    },
    certificateCarrier: (context) => client(context).request,
    bind(context, authentication) {
      bindAuthentication(client(context), authentication);
      bindAuthentication(context, authentication);
    },
    authenticationOf: (context) => authenticationOf(client(context)),
    describe: (context) => `ws ${loggable(String(context.switchToWs().getPattern())) ?? ''}`,
    async refusal(_err, answer) {
      const { WsException } = await loadPeer<{ WsException: ClientFacingException }>(
        '@nestjs/websockets',
      );
      return new WsException(refusalPayload(answer));
    },
    end: (context, reason) => endConnection(client(context), reason),
  };
}
