import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Scopes } from '../../../lib/index.js';
import { type Note, NotesService } from './notes.service.js';

/**
 * The notes over a WebSocket at `/ws`. `OidcWsAdapter` (see server.ts) authenticates the upgrade
 * request's `Authorization: Bearer` header; each message then needs its handler's scopes.
 */
@WebSocketGateway({ path: '/ws' })
export class NotesGateway {
  constructor(private readonly notes: NotesService) {}

  /** `{"event":"notes","data":{}}` answers `{"event":"notes","data":[...]}`. */
  @Scopes('notes:read')
  @SubscribeMessage('notes')
  list(): { event: 'notes'; data: Note[] } {
    return { event: 'notes', data: this.notes.list() };
  }
}
