import { SetMetadata } from '@nestjs/common';
import { PUBLIC_KEY } from './metadata-keys.js';

/**
 * Opens a handler, or every handler of a controller, to requests without a token. A handler's own
 * `@Public(false)` overrides its controller's `@Public()`.
 */
export const Public = (isPublic = true) => SetMetadata(PUBLIC_KEY, isPublic);
