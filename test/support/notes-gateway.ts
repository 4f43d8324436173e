import {
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  connectionPrincipal,
  type OidcPrincipal,
  Principal,
  Public,
  Roles,
  Scopes,
} from '../../lib/index.js';

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
