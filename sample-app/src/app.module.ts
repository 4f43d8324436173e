import { type DynamicModule, Module } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { OidcAuthHealthIndicator } from '../../lib/health/index.js';
import { type IssuerOptions, OidcAuthModule, type OidcAuthModuleOptions } from '../../lib/index.js';
import {
  DOWNSTREAM,
  DownstreamController,
  type DownstreamSettings,
} from './downstream/downstream.controller.js';
import { OidcMcpModule } from '../../lib/mcp/index.js';
import { HealthController } from './health/health.controller.js';
import { MCP_RESOURCE, McpController } from './mcp/mcp.controller.js';
import { NotesController } from './notes/notes.controller.js';
import { NotesGateway } from './notes/notes.gateway.js';
import { NOTES_TYPE_DEFS, NotesResolver } from './notes/notes.resolver.js';
import { NotesService } from './notes/notes.service.js';

@Module({})
export class AppModule {
  /**
   * `resources.api` is the API's own URL, published in its RFC 9728 metadata (an audience
   * `issuers` must accept: the module checks it at startup); `resources.mcp`, when set, serves the
   * MCP endpoint as a resource of its own, whose tokens open nothing else (and which no other
   * token opens); `downstream`, when the
   * provider can exchange tokens, adds the routes that call the audit API; `auth`: further module
   * options from the environment (`store` when replicas share one, `dpop`, `mtls` ...).
   */
  static forIssuers(
    issuers: IssuerOptions[],
    resources: { api: string; mcp?: string },
    downstream?: DownstreamSettings,
    auth: Partial<OidcAuthModuleOptions> = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        OidcAuthModule.forRoot({
          issuers,
          realm: 'notes',
          protectedResource: { resource: resources.api },
          ...(resources.mcp && {
            protectedResources: {
              [MCP_RESOURCE]: {
                resource: resources.mcp,
                resourceName: 'Notes MCP server',
                // What a client asks for first (a 401's `scope`): reading. Writing comes by
                // step-up, when a tool needs it; the metadata lists both, from the tools.
                scopes: ['notes:read'],
              },
            },
          }),
          ...auth,
        }),
        ...(resources.mcp ? [OidcMcpModule.forRoot()] : []),
        TerminusModule,
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          typeDefs: NOTES_TYPE_DEFS,
          // No playground or landing page: the sample's interactive client is Swagger UI.
          playground: false,
          // Apollo adds stack traces to errors outside production; clients never need them.
          includeStacktraceInErrorResponses: false,
        }),
      ],
      controllers: [
        HealthController,
        NotesController,
        ...(resources.mcp ? [McpController] : []),
        ...(downstream ? [DownstreamController] : []),
      ],
      providers: [
        NotesService,
        NotesGateway,
        NotesResolver,
        OidcAuthHealthIndicator,
        ...(downstream ? [{ provide: DOWNSTREAM, useValue: downstream }] : []),
      ],
    };
  }
}
