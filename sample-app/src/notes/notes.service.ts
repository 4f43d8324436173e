import { Injectable, NotFoundException } from '@nestjs/common';

export interface Note {
  id: number;
  text: string;
  author: string;
}

/** In-memory notes: the sample is about access control, not storage. */
@Injectable()
export class NotesService {
  private readonly notes = new Map<number, Note>();
  private nextId = 1;

  list(): Note[] {
    return [...this.notes.values()];
  }

  create(text: string, author: string): Note {
    const note = { id: this.nextId++, text, author };
    this.notes.set(note.id, note);
    return note;
  }

  remove(id: number): void {
    if (!this.notes.delete(id)) throw new NotFoundException(`Note ${id} does not exist`);
  }
}
