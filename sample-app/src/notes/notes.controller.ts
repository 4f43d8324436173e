import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Principal, RequireAuthentication, Roles, Scopes } from '../../../lib/index.js';
import { type Note, NotesService } from './notes.service.js';

@ApiTags('notes')
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Scopes('notes:read')
  @Get()
  list(): Note[] {
    return this.notes.list();
  }

  /**
   * Everything at once is worth more than a note at a time: only for a user who signed in with a
   * second factor in the last five minutes (RFC 9470 step-up).
   */
  @Scopes('notes:read')
  @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
  @Get('export')
  export(): { notes: Note[] } {
    return { notes: this.notes.list() };
  }

  @Scopes('notes:write')
  @ApiBody({
    schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  })
  @Post()
  create(@Body() body: { text?: unknown } | undefined, @Principal('subject') author: string): Note {
    const text = body?.text;
    if (typeof text !== 'string' || text.trim() === '' || text.length > 1000) {
      throw new BadRequestException('text must be a non-empty string of at most 1000 characters');
    }
    return this.notes.create(text, author);
  }

  @Roles('admin')
  @HttpCode(204)
  @Delete(':id')
  remove(@Param('id', ParseIntPipe) id: number): void {
    this.notes.remove(id);
  }
}
