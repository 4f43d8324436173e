import { Query, Resolver } from '@nestjs/graphql';
import { Scopes } from '../../../lib/index.js';
import { type Note, NotesService } from './notes.service.js';

/** The notes over GraphQL, schema-first (`NOTES_TYPE_DEFS`), under the same policy as REST. */
export const NOTES_TYPE_DEFS = /* GraphQL */ `
  type Note {
    id: Int!
    text: String!
    author: String!
  }

  type Query {
    "Requires the scope notes:read."
    notes: [Note!]!
  }
`;

@Resolver('Note')
export class NotesResolver {
  constructor(private readonly notes: NotesService) {}

  @Scopes('notes:read')
  @Query('notes')
  list(): Note[] {
    return this.notes.list();
  }
}
