import { IntrinsicException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { GraphQLError } from 'graphql';
import {
  InsufficientUserAuthenticationError,
  InvalidRequestError,
  InvalidTokenError,
  KeysUnavailableError,
  MissingTokenError,
} from '../../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../../lib/protocol/bearer/rfc6750.js';
import {
  connectionParamsToken,
  GraphQLRefusal,
  graphqlTransport,
} from '../../../../lib/nest/transports/graphql.transport.js';

const TOKEN = 'aaa.bbb.ccc';
const lookup = { allowQueryToken: false };

function resolverContext(ctx: unknown): ExecutionContextHost {
  const host = new ExecutionContextHost([
    {},
    {},
    ctx,
    { parentType: { name: 'Query' }, fieldName: 'notes' },
  ]);
  host.setType('graphql');
  return host;
}

describe('graphqlTransport', () => {
  it('reads the bearer token of an Apollo request (ctx.req) or a mercurius one (ctx.reply.request)', () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    expect(graphqlTransport.token(resolverContext({ req: { headers } }), lookup)).toBe(TOKEN);
    expect(
      graphqlTransport.token(resolverContext({ reply: { request: { headers } } }), lookup),
    ).toBe(TOKEN);
  });

  it('reads connectionParams when the context is a graphql-ws connection', () => {
    const connection = { connectionParams: { authorization: `Bearer ${TOKEN}` }, extra: {} };
    expect(graphqlTransport.token(resolverContext({ req: connection }), lookup)).toBe(TOKEN);
  });

  it('finds no token in a context it does not recognise', () => {
    expect(() => graphqlTransport.token(resolverContext(undefined), lookup)).toThrow(
      MissingTokenError,
    );
  });

  it('names the field in logs', () => {
    expect(graphqlTransport.describe(resolverContext({}))).toBe('graphql Query.notes');
  });

  it.each([
    [new MissingTokenError(), 'UNAUTHENTICATED', undefined, 401],
    [new InvalidRequestError('bad'), 'UNAUTHENTICATED', 'invalid_request', 400],
    [
      new KeysUnavailableError('https://issuer', 5),
      'SERVICE_UNAVAILABLE',
      'temporarily_unavailable',
      503,
    ],
  ])('reports %p as a GraphQLError with code %s', async (err, code, error, status) => {
    const refusal = graphqlTransport.refusal(err, toBearerErrorResponse(err), resolverContext({}));
    expect(refusal).toBeInstanceOf(IntrinsicException);
    expect((refusal as GraphQLRefusal).extensions).toEqual({ code, error, status });
    // What graphql-js makes of a resolver's error: the extensions carry over.
    expect(new GraphQLError('x', { originalError: refusal as Error }).extensions).toEqual({
      code,
      error,
      status,
    });
  });
});

describe('graphqlTransport step-up refusals', () => {
  it('are UNAUTHENTICATED and carry acr_values and max_age, which GraphQL has no header for', () => {
    const err = new InsufficientUserAuthenticationError('Step up', ['mfa', 'phr'], 300);
    const refusal = graphqlTransport.refusal(err, toBearerErrorResponse(err), resolverContext({}));
    expect(new GraphQLError('x', { originalError: refusal as Error }).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      error: 'insufficient_user_authentication',
      status: 401,
      acr_values: 'mfa phr',
      max_age: 300,
    });
  });

  it('leave out the parameters the route does not require', () => {
    const err = new InsufficientUserAuthenticationError('Step up', undefined, 60);
    const refusal = graphqlTransport.refusal(err, toBearerErrorResponse(err), resolverContext({}));
    expect((refusal as GraphQLRefusal).extensions).toStrictEqual({
      code: 'UNAUTHENTICATED',
      error: 'insufficient_user_authentication',
      status: 401,
      max_age: 60,
    });
  });
});

describe('connectionParamsToken', () => {
  it('accepts authorization or Authorization', () => {
    expect(connectionParamsToken({ authorization: `Bearer ${TOKEN}` })).toBe(TOKEN);
    expect(connectionParamsToken({ Authorization: `Bearer ${TOKEN}` })).toBe(TOKEN);
  });

  it('refuses a missing, non-string or malformed value', () => {
    expect(() => connectionParamsToken(undefined)).toThrow(MissingTokenError);
    expect(() => connectionParamsToken({ authorization: 1 })).toThrow(InvalidRequestError);
    expect(() => connectionParamsToken({ authorization: `Bearer ${TOKEN} x` })).toThrow(
      InvalidRequestError,
    );
  });

  it('refuses a token longer than 16 KiB as invalid_token', () => {
    const long = 'a'.repeat(16 * 1024 + 1);
    expect(() => connectionParamsToken({ authorization: `Bearer ${long}` })).toThrow(
      InvalidTokenError,
    );
  });
});
