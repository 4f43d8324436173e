import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { McpAuthorization } from './mcp-authorization.js';

/** What `@McpEndpoint()` puts on its route, after the module's guard authenticated the call. */
@Injectable()
export class McpEndpointGuard implements CanActivate {
  constructor(private readonly authorization: McpAuthorization) {}

  canActivate(context: ExecutionContext): true | Promise<true> {
    return this.authorization.authorize(context);
  }
}
