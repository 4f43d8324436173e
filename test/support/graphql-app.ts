import {
  type INestApplication,
  type LoggerService,
  type NestApplicationOptions,
} from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule, Query, Resolver, Subscription } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import {
  graphqlWsAuthentication,
  OidcAuthenticator,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  Principal,
  Public,
  Roles,
  Scopes,
} from '../../lib/index.js';

export const TYPE_DEFS = /* GraphQL */ `
  type Note {
    id: Int!
    text: String!
  }
  type Query {
    notes: [Note!]
    me: String
    ping: String
    purge: Boolean
    report: String
    export: String
  }
  type Subscription {
    noteAdded: Note
    secrets: String
  }
`;

@Resolver()
export class NotesResolver {
  @Scopes('notes:read')
  @Query('notes')
  notes() {
    return [{ id: 1, text: 'first' }];
  }

  @Query('me')
  me(@Principal('subject') subject: string) {
    return subject;
  }

  @Public()
  @Query('ping')
  ping() {
    return 'pong';
  }

  @Roles('admin')
  @Query('purge')
  purge() {
    return true;
  }

  /** Emits one note every 50 ms, for as long as the client listens. */
  @Scopes('notes:read')
  @Subscription('noteAdded')
  async *noteAdded() {
    for (let id = 1; ; id++) {
      yield { noteAdded: { id, text: `note ${id}` } };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  @Roles('admin')
  @Subscription('secrets')
  async *secrets() {
    yield { secrets: 'classified' };
  }
}

@Scopes('reports:read')
@Resolver()
export class ReportsResolver {
  @Query('report')
  report() {
    return 'report';
  }

  @Scopes('reports:export')
  @Query('export')
  export() {
    return 'export';
  }
}

/** A GraphQL app (Apollo on Express, graphql-ws subscriptions) over real HTTP on 127.0.0.1. */
export async function graphqlApp(
  options: OidcAuthModuleOptions,
  logger: LoggerService | false = false,
  httpsOptions?: NestApplicationOptions['httpsOptions'],
): Promise<INestApplication> {
  const ref = await Test.createTestingModule({
    imports: [
      OidcAuthModule.forRoot(options),
      GraphQLModule.forRootAsync<ApolloDriverConfig>({
        driver: ApolloDriver,
        inject: [OidcAuthenticator],
        useFactory: (authenticator: OidcAuthenticator) => ({
          typeDefs: TYPE_DEFS,
          playground: false,
          includeStacktraceInErrorResponses: false,
          subscriptions: { 'graphql-ws': graphqlWsAuthentication(authenticator) },
        }),
      }),
    ],
    providers: [NotesResolver, ReportsResolver],
  }).compile();
  const app = ref.createNestApplication({ logger, httpsOptions });
  await app.listen(0, '127.0.0.1');
  return app;
}
