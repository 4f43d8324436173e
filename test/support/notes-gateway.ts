import type {
  INestApplication,
  LoggerService,
  NestApplicationOptions,
  WebSocketAdapter,
} from '@nestjs/common';
import {
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  connectionPrincipal,
  type OidcAuthModuleOptions,
  type OidcPrincipal,
  Principal,
  Public,
  Roles,
  Scopes,
} from '../../lib/index.js';
import { gatewayAppOf } from './gateway-app.js';

/** The gateway the WebSocket suites talk to, on both adapters: one handler per kind of policy. */
@WebSocketGateway({ path: '/ws' })
export class NotesGateway implements OnGatewayConnection {
  /** Who each connection was authenticated as when `handleConnection` ran (undefined: nobody). */
  readonly connected: Array<string | undefined> = [];

  handleConnection(client: object) {
    this.connected.push(connectionPrincipal(client)?.subject);
  }

  @Scopes('notes:read')
  @SubscribeMessage('notes')
  notes(@Principal() principal: OidcPrincipal) {
    return { event: 'notes', data: [{ id: 1, text: 'first', reader: principal.subject }] };
  }

  @Roles('admin')
  @SubscribeMessage('purge')
  purge() {
    return { event: 'purged', data: true };
  }

  @Public()
  @SubscribeMessage('ping')
  ping(@MessageBody() body: unknown) {
    return { event: 'pong', data: body ?? null };
  }
}

function freshGateway(): typeof NotesGateway {
  @WebSocketGateway({ path: '/ws' })
  class Gateway extends NotesGateway {}
  return Gateway;
}

/** An app serving `NotesGateway` through `adapter`, listening on 127.0.0.1; its URL without path. */
export function gatewayApp(
  options: OidcAuthModuleOptions,
  adapter: (app: INestApplication) => WebSocketAdapter,
  logger: LoggerService | false = false,
  httpsOptions?: NestApplicationOptions['httpsOptions'],
): Promise<{ app: INestApplication; url: string }> {
  // A subclass per application, as `NotesGateway` for `app.get`: the module adds its guard to the
  // handlers' metadata, and a class shared with an earlier application would carry it into Nest's
  // scan of the next one, hiding whether the module binds its guard by itself (and to inherited
  // handlers).
  return gatewayAppOf(
    options,
    [{ provide: NotesGateway, useClass: freshGateway() }],
    adapter,
    logger,
    httpsOptions,
  );
}
