import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { authenticateHandshake, endWhenInvalid } from '../nest/connections/connection-handshake.js';
import { DPoPGate } from '../nest/sender-constraint/dpop-gate.js';
import { OidcAuthenticator } from '../nest/authentication/oidc-authenticator.js';
import {
  OIDC_AUTH_OPTIONS,
  type OidcAuthModuleOptions,
} from '../nest/options/oidc-auth.options.js';
import { bindAuthentication } from '../nest/transports/call-authentications.js';
import type { Authentication } from '../nest/transports/transport.js';
import { describeHttp } from '../nest/transports/http.transport.js';
import { endConnection, upgradeRequestToken } from '../nest/transports/ws.transport.js';

export interface OidcWsAdapterOptions {
  /** Gateway paths whose handshake needs no token; their handlers still need `@Public()`. */
  publicPaths?: readonly string[];
}

type VerifyClientCallback = (
  result: boolean,
  code?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;

/**
 * `WsAdapter` that authenticates every WebSocket at its upgrade request (`Authorization: Bearer`,
 * or the query parameter named by the module's `websocket.queryParameter`): a refused upgrade is
 * answered with the RFC 6750 status and challenge, an accepted connection carries its principal
 * to the gateway's handlers and is closed with 1008 when the token expires or is revoked.
 *
 *     app.useWebSocketAdapter(new OidcWsAdapter(app));
 */
export class OidcWsAdapter extends WsAdapter {
  private readonly handshakes = new WeakMap<IncomingMessage, Authentication>();
  private readonly publicPaths: ReadonlySet<string>;

  constructor(
    private readonly app: INestApplicationContext,
    options: OidcWsAdapterOptions = {},
  ) {
    super(app);
    this.publicPaths = new Set(options.publicPaths ?? []);
  }

  override create(port: number, options: Record<string, unknown> = {}): WebSocketServer {
    const path = typeof options.path === 'string' ? options.path : undefined;
    if (path !== undefined && this.publicPaths.has(path)) return super.create(port, options);
    const authenticator = this.app.get(OidcAuthenticator);
    const dpop = this.app.get(DPoPGate);
    const tokenOptions = this.app.get<OidcAuthModuleOptions>(OIDC_AUTH_OPTIONS).websocket ?? {};
    const verifyClient = (info: { req: IncomingMessage }, done: VerifyClientCallback) => {
      const request = info.req;
      authenticateHandshake(
        authenticator,
        describeHttp(request),
        () => upgradeRequestToken(request, tokenOptions),
        request,
        // The upgrade is an HTTP GET: it may carry `Authorization: DPoP` and a proof.
        (token) => dpop.authenticate({ request }, token, false),
      ).then(
        ({ authentication, refusal }) => {
          if (authentication) {
            this.handshakes.set(request, authentication);
            done(true);
          } else {
            done(false, refusal.status, refusal.body.error, refusal.headers);
          }
        },
        () => done(false, 500),
      );
    };
    return super.create(port, { ...options, verifyClient });
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (client: WebSocket, request: IncomingMessage) => void,
  ): void {
    // Registered before Nest's own listener, so the gateway's handleConnection sees the principal.
    server.on('connection', (client: WebSocket, request: IncomingMessage) => {
      const authentication = this.handshakes.get(request);
      if (!authentication) return;
      this.handshakes.delete(request);
      bindAuthentication(client, authentication);
      const cancel = endWhenInvalid(this.app.get(OidcAuthenticator), authentication, (reason) =>
        endConnection(client, reason),
      );
      client.once('close', cancel);
    });
    super.bindClientConnect(server, callback);
  }
}
