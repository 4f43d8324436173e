import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { GraphQLError } from 'graphql';
import { TokenRevokedError } from '../../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../../lib/protocol/bearer/rfc6750.js';
import { graphqlTransport } from '../../../../lib/nest/transports/graphql.transport.js';
import { rpcTransport } from '../../../../lib/nest/transports/rpc.transport.js';
import { wsTransport } from '../../../../lib/nest/transports/ws.transport.js';
import { refusalError } from '../../../support/refusals.js';

const REVOKED_AT = 1_800_000_000;
const NOW = (REVOKED_AT + 30) * 1000;
const context = () => new ExecutionContextHost([{}, {}, {}, {}]);

// Each revoked-token answer, as a transport without headers must pass it on.
const cases = [
  {
    what: 'a plain revocation',
    err: new TokenRevokedError('session-revoked', REVOKED_AT),
    error: 'invalid_token',
    message: 'The token was revoked (session-revoked)',
    parameters: {},
  },
  {
    what: 'an assurance-level-change step-up',
    err: new TokenRevokedError('assurance-level-change', REVOKED_AT, { currentLevel: 'aal1' }),
    error: 'insufficient_user_authentication',
    message: 'The token was revoked (assurance-level-change): authenticate again',
    parameters: { acr_values: 'aal1', max_age: 30 },
  },
  {
    what: 'a CAE claims challenge to a cp1 client',
    err: new TokenRevokedError('session-revoked', REVOKED_AT, { claimsChallenge: true }),
    error: 'insufficient_claims',
    message: 'The token was revoked (session-revoked): get a token issued after it',
    parameters: {
      claims: Buffer.from(
        JSON.stringify({ access_token: { nbf: { essential: true, value: String(REVOKED_AT) } } }),
      ).toString('base64'),
    },
  },
];

describe.each(cases)(
  '$what on transports without headers',
  ({ err, error, message, parameters }) => {
    const answer = toBearerErrorResponse(err, { realm: 'api' }, NOW);

    it('reaches a WebSocket client as an exception event with the code and what to do', async () => {
      const refusal = await wsTransport({}).refusal(err, answer, context());
      expect(refusal).toBeInstanceOf(WsException);
      expect((refusal as WsException).getError()).toEqual({
        ...refusalError(401, error, message),
        ...parameters,
      });
    });

    it('reaches a microservice client as an RpcException with the code and what to do', async () => {
      const refusal = await rpcTransport.refusal(err, answer, context());
      expect(refusal).toBeInstanceOf(RpcException);
      expect((refusal as RpcException).getError()).toEqual({
        ...refusalError(401, error, message),
        ...parameters,
      });
    });

    it('reaches a GraphQL client as UNAUTHENTICATED with the code and what to do', () => {
      const refusal = graphqlTransport.refusal(err, answer, context());
      expect(new GraphQLError('x', { originalError: refusal as Error }).extensions).toStrictEqual({
        code: 'UNAUTHENTICATED',
        error,
        status: 401,
        ...parameters,
      });
    });
  },
);
