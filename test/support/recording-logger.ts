import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps what it is told, for tests about what the module logs. */
export class RecordingLogger implements LoggerService {
  readonly entries: Array<{ level: 'log' | 'warn' | 'error'; message: string }> = [];

  log(message: unknown) {
    this.entries.push({ level: 'log', message: String(message) });
  }

  warn(message: unknown) {
    this.entries.push({ level: 'warn', message: String(message) });
  }

  error(message: unknown) {
    this.entries.push({ level: 'error', message: String(message) });
  }

  /** `level message`, one per entry. */
  get lines(): string[] {
    return this.entries.map((e) => `${e.level} ${e.message}`);
  }

  messages(): string[] {
    return this.entries.map((e) => e.message);
  }
}
