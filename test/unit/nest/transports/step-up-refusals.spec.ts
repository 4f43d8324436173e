import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { InsufficientUserAuthenticationError } from '../../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../../lib/protocol/bearer/rfc6750.js';
import { rpcTransport } from '../../../../lib/nest/transports/rpc.transport.js';
import { wsTransport } from '../../../../lib/nest/transports/ws.transport.js';
import { refusalError } from '../../../support/refusals.js';

const err = new InsufficientUserAuthenticationError(
  'This resource requires the authentication context mfa',
  ['mfa'],
  300,
);
const payload = {
  ...refusalError(
    401,
    'insufficient_user_authentication',
    'This resource requires the authentication context mfa',
  ),
  acr_values: 'mfa',
  max_age: 300,
};

describe('step-up refusals on message transports', () => {
  it('reach a WebSocket client as an exception event with the RFC 9470 error code', async () => {
    const refusal = await wsTransport({}).refusal(
      err,
      toBearerErrorResponse(err),
      new ExecutionContextHost([]),
    );
    expect(refusal).toBeInstanceOf(WsException);
    expect((refusal as WsException).getError()).toEqual(payload);
  });

  it('reach a microservice client as an RpcException with the RFC 9470 error code', async () => {
    const refusal = await rpcTransport.refusal(
      err,
      toBearerErrorResponse(err),
      new ExecutionContextHost([]),
    );
    expect(refusal).toBeInstanceOf(RpcException);
    expect((refusal as RpcException).getError()).toEqual(payload);
  });
});
