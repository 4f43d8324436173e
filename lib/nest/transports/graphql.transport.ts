import { type ExecutionContext, IntrinsicException } from '@nestjs/common';
import { extractBearerToken } from '../../protocol/bearer/bearer-token.js';
import {
  InvalidRequestError,
  MissingTokenError,
  UseDPoPNonceError,
} from '../../protocol/errors/errors.js';
import type { BearerErrorResponse } from '../../protocol/bearer/rfc6750.js';
import { authenticationOf, bindAuthentication } from './call-authentications.js';
import type { HttpRequestLike, HttpResponseLike } from './http-exchange.js';
import { httpToken } from './http.transport.js';
import { loggable, type Transport } from './transport.js';

/** A graphql-ws connection's context, as `onConnect` and the `context` factory receive it. */
export interface GraphQLWsConnection {
  connectionParams?: Readonly<Record<string, unknown>>;
  /** graphql-ws's `use/ws` puts the `ws` socket here. */
  extra?: unknown;
}

/** Closes a graphql-ws connection's socket, when the server integration exposes it. */
export function closeConnection(
  connection: GraphQLWsConnection,
  code: number,
  reason: string,
): void {
  const socket = (connection.extra as { socket?: { close?: unknown } } | undefined)?.socket;
  if (typeof socket?.close === 'function') socket.close(code, reason);
}

interface GraphQLContext {
  /** Apollo (Express or Fastify request, or the graphql-ws connection of a subscription). */
  req?: HttpRequestLike | GraphQLWsConnection;
  /** Apollo on Express: the response, where a DPoP nonce is set. */
  res?: HttpResponseLike;
  /** mercurius. */
  reply?: { request?: HttpRequestLike } & HttpResponseLike;
}

/** graphql-ws: the client stops on 4401 rather than reconnecting with the same token. */
export const GRAPHQL_WS_UNAUTHORIZED = 4401;

/** The token of a graphql-ws `connection_init`: `connectionParams.authorization` ("Bearer ..."). */
export function connectionParamsToken(
  params: Readonly<Record<string, unknown>> | undefined,
): string {
  const authorization = params?.authorization ?? params?.Authorization;
  if (authorization !== undefined && typeof authorization !== 'string') {
    throw new InvalidRequestError(
      'connectionParams.authorization must be a string "Bearer <token>"',
    );
  }
  return extractBearerToken({ authorization, query: undefined, allowQuery: false });
}

function graphQLContext(context: ExecutionContext): GraphQLContext {
  return context.getArgByIndex<GraphQLContext | undefined>(2) ?? {};
}

function isConnection(value: unknown): value is GraphQLWsConnection {
  return (
    typeof value === 'object' && value !== null && ('connectionParams' in value || 'extra' in value)
  );
}

function requestOf(ctx: GraphQLContext): HttpRequestLike | undefined {
  if (ctx.req && !isConnection(ctx.req)) return ctx.req;
  return ctx.reply?.request;
}

function connectionOf(ctx: GraphQLContext): GraphQLWsConnection | undefined {
  return isConnection(ctx.req) ? ctx.req : undefined;
}

// Carries the token and the principal for `@Principal()`: the HTTP request or the connection.
function carrierOf(ctx: GraphQLContext): object | undefined {
  return requestOf(ctx) ?? connectionOf(ctx);
}

const CODES: Record<number, string> = {
  400: 'UNAUTHENTICATED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * A refusal as a resolver error. graphql-js wraps it in a GraphQLError that takes over these
 * `extensions`, so the `graphql` package need not be loaded here; an `IntrinsicException`, so that
 * Nest does not log every refused query as an application error with its stack.
 */
export class GraphQLRefusal extends IntrinsicException {
  constructor(
    message: string,
    readonly extensions: {
      code: string;
      error?: string;
      status: number;
      /** `use_dpop_nonce` refusals (RFC 9449 §9): the nonce the next proof must carry. */
      dpop_nonce?: string;
      /**
       * Step-up refusals (RFC 9470): what the client must ask the authorization server for; a
       * CAE claims challenge: the claims its next token must satisfy.
       */
      acr_values?: string;
      max_age?: number;
      claims?: string;
    },
  ) {
    super(message);
    this.name = 'GraphQLRefusal';
  }
}

/**
 * `@nestjs/graphql` resolvers (Apollo and mercurius): the HTTP request's bearer token, or a
 * subscription's connection authenticated at `connection_init`. Refusals are GraphQL errors whose
 * `extensions.code` is `UNAUTHENTICATED` or `FORBIDDEN`, never HTTP 500s.
 */
export const graphqlTransport: Transport = {
  established: (context) => authenticationOf(connectionOf(graphQLContext(context))),
  boundToCall: (context) => authenticationOf(requestOf(graphQLContext(context))),
  exchange(context) {
    const ctx = graphQLContext(context);
    const request = requestOf(ctx);
    // Apollo's context holds no response unless the app puts it there; Express links it anyway.
    const response =
      ctx.res ?? ctx.reply ?? (request as { res?: HttpResponseLike } | undefined)?.res;
    return request && { request, response };
  },
  token(context, lookup) {
    const ctx = graphQLContext(context);
    const request = requestOf(ctx);
    if (request) return httpToken(request, lookup);
    const connection = connectionOf(ctx);
    if (connection) return connectionParamsToken(connection.connectionParams);
    throw new MissingTokenError();
  },
  // Subscriptions were checked at connection_init, against their upgrade request.
  certificateCarrier: (context) => requestOf(graphQLContext(context)),
  bind(context, authentication) {
    const ctx = graphQLContext(context);
    const request = requestOf(ctx);
    // `request.user` is where passport and most Nest code look for the caller.
    if (request) request.user = authentication.principal;
    const carrier = carrierOf(ctx);
    if (carrier) bindAuthentication(carrier, authentication);
  },
  authenticationOf: (context) => authenticationOf(carrierOf(graphQLContext(context))),
  describe(context) {
    const info = context.getArgByIndex<
      { parentType?: { name?: string }; fieldName?: string } | undefined
    >(3);
    return `graphql ${loggable(`${info?.parentType?.name ?? ''}.${info?.fieldName ?? ''}`)}`;
  },
  refusal(err, answer: BearerErrorResponse) {
    return new GraphQLRefusal(answer.body.message, {
      code: CODES[answer.status] ?? 'FORBIDDEN',
      error: answer.code,
      status: answer.status,
      // What the challenge header would say, which a GraphQL client has no header to read from.
      ...answer.parameters,
      ...(err instanceof UseDPoPNonceError && { dpop_nonce: err.nonce }),
    });
  },
  end(context, reason) {
    const connection = connectionOf(graphQLContext(context));
    if (connection) closeConnection(connection, GRAPHQL_WS_UNAUTHORIZED, reason);
  },
};
