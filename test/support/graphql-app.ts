import {
  type INestApplication,
  type LoggerService,
  type NestApplicationOptions,
  type Provider,
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

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

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

/**
 * An app serving `resolvers` over `typeDefs` through Apollo on Express (queries only), over real
 * HTTP on 127.0.0.1: the app and the URL of its GraphQL endpoint.
 */
export async function apolloApp(
  options: Parameters<typeof OidcAuthModule.forRoot>[0],
  schema: { typeDefs: string; resolvers: Provider[] },
  logger: LoggerService | false = false,
): Promise<{ app: INestApplication; url: string }> {
  const ref = await Test.createTestingModule({
    imports: [
      OidcAuthModule.forRoot(options),
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        typeDefs: schema.typeDefs,
        playground: false,
        includeStacktraceInErrorResponses: false,
      }),
    ],
    providers: schema.resolvers,
  }).compile();
  const app = ref.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${await app.getUrl()}/graphql` };
}

/** `query` POSTed to `url` as JSON, with `headers` beside the content type. */
export async function postGraphQL(
  url: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; body: GraphQLResponse }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { res, body: (await res.json()) as GraphQLResponse };
}
