import { jest } from '@jest/globals';
import * as nestCommon from '@nestjs/common';
import * as nestCore from '@nestjs/core';

/**
 * `@nestjs/throttler` and its Redis storage are CommonJS and `require()` Nest, which is ES modules.
 * Node 20 allows that, Jest before Node 24.9 does not: hand their `require()` the very modules our
 * code imports (one `HttpException` class, one `Reflector`). Import what depends on them afterwards,
 * with `await import()`.
 */
export function shareNestWithCommonJsPeers(): void {
  jest.mock('@nestjs/common', () => nestCommon);
  jest.mock('@nestjs/core', () => nestCore);
}
