import {
  BadGatewayException,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  AccessToken,
  authorizedFetch,
  InteractionRequiredError,
  InvalidGrantError,
  Scopes,
  TokenClient,
  TokenEndpointError,
  TokenEndpointUnavailableError,
} from '../../../lib/index.js';

export const DOWNSTREAM = Symbol('DOWNSTREAM');

export interface DownstreamSettings {
  url: string;
  audience: string;
  client: TokenClient;
}

/** Calls the audit API as this API (client credentials) and on behalf of the caller (token exchange). */
@ApiTags('downstream')
@Controller('downstream')
export class DownstreamController {
  constructor(@Inject(DOWNSTREAM) private readonly downstream: DownstreamSettings) {}

  @Scopes('notes:read')
  @Get('on-behalf-of')
  onBehalfOf(@AccessToken() token: string) {
    return this.call(authorizedFetch(this.downstream.client, this.target(token)));
  }

  @Scopes('notes:read')
  @Get('as-service')
  asService() {
    return this.call(authorizedFetch(this.downstream.client, this.target()));
  }

  private target(onBehalfOf?: string) {
    return { onBehalfOf, resource: this.downstream.audience, scopes: ['audit:read'] };
  }

  private async call(fetchWithToken: ReturnType<typeof authorizedFetch>): Promise<unknown> {
    let res: Response;
    try {
      res = await fetchWithToken(`${this.downstream.url}/audit/whoami`);
    } catch (err) {
      throw this.translate(err);
    }
    if (!res.ok) throw new BadGatewayException(`The audit API answered ${res.status}`);
    return res.json();
  }

  // The caller's answer depends on why the token endpoint refused: their token (401), consent or
  // policy the user must satisfy (403 with the claims challenge), or an outage (503).
  private translate(err: unknown): Error {
    if (err instanceof InteractionRequiredError) {
      return new ForbiddenException({ message: err.message, claims: err.claims });
    }
    if (err instanceof InvalidGrantError) return new UnauthorizedException(err.message);
    if (err instanceof TokenEndpointUnavailableError)
      return new ServiceUnavailableException(err.message);
    if (err instanceof TokenEndpointError) return new BadGatewayException(err.message);
    return err instanceof Error ? err : new Error(String(err));
  }
}
