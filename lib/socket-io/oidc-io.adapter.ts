import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { authenticateHandshake, endWhenInvalid } from '../nest/connections/connection-handshake.js';
import { DPoPGate } from '../nest/sender-constraint/dpop-gate.js';
import { OidcAuthenticator } from '../nest/authentication/oidc-authenticator.js';
import {
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleOptions,
} from '../nest/options/oidc-auth.options.js';
import { bindAuthentication } from '../nest/transports/call-authentications.js';
import { loggable, refusalPayload } from '../nest/transports/transport.js';
import { endConnection, socketIoHandshakeToken } from '../nest/transports/ws.transport.js';

export interface OidcIoAdapterOptions {
  /** Namespaces whose handshake needs no token; their handlers still need `@Public()`. */
  publicNamespaces?: readonly string[];
}

/** What a refused socket.io client receives in `connect_error`: `err.message` and `err.data`. */
class HandshakeRefusal extends Error {
  constructor(readonly data: ReturnType<typeof refusalPayload>) {
    super(data.message);
  }
}

/**
 * `IoAdapter` that authenticates every socket.io connection in a namespace middleware
 * (`auth: { token }`, the `Authorization` header, or the query parameter named by the module's
 * `websocket.queryParameter`): a refused client gets `connect_error` with the RFC 6750 code in
 * `err.data`, an accepted one carries its principal to the gateway's handlers and is
 * disconnected, after an `exception` event, when the token expires or is revoked.
 *
 *     app.useWebSocketAdapter(new OidcIoAdapter(app));
 */
export class OidcIoAdapter extends IoAdapter {
  private readonly publicNamespaces: ReadonlySet<string>;

  constructor(
    private readonly app: INestApplicationContext,
    options: OidcIoAdapterOptions = {},
  ) {
    super(app);
    this.publicNamespaces = new Set(options.publicNamespaces ?? []);
  }

  override create(
    port: number,
    options?: ServerOptions & { namespace?: string; server?: Server },
  ): Server | Namespace {
    const target = super.create(port, options) as Server | Namespace;
    const namespace = String(options?.namespace ?? '/');
    if (this.publicNamespaces.has(namespace)) return target;
    const authenticator = this.app.get(OidcAuthenticator);
    const dpop = this.app.get(DPoPGate);
    const tokenOptions = this.app.get<OidcAuthModuleOptions>(OIDC_AUTH_OPTIONS).websocket ?? {};
    const call = `socket.io ${loggable(namespace)}`;
    target.use((socket: Socket, next: (err?: Error) => void) => {
      authenticateHandshake(
        authenticator,
        call,
        () => socketIoHandshakeToken(socket.handshake, tokenOptions),
        socket.request,
        // No proof can come this way: bound tokens, and any token under dpop.mode 'required', are refused.
        (token) => dpop.authenticate(undefined, token, false, socket.request),
      ).then(
        ({ authentication, refusal }) => {
          if (!authentication) return next(new HandshakeRefusal(refusalPayload(refusal)));
          bindAuthentication(socket, authentication);
          const cancel = endWhenInvalid(authenticator, authentication, (reason) =>
            endConnection(socket, reason),
          );
          socket.once('disconnect', cancel);
          next();
        },
        () => next(new Error('Internal error while authenticating the connection')),
      );
    });
    return target;
  }
}
