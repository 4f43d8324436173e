import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { OidcAuthHealthIndicator } from '../../../lib/health/index.js';
import { type OidcPrincipal, Principal, Public } from '../../../lib/index.js';

@ApiTags('identity')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly oidc: OidcAuthHealthIndicator,
  ) {}

  /** Liveness: the process answers. */
  @Public()
  @Get('health')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the identity provider's keys are loaded, so tokens can be verified (503 if not). */
  @Public()
  @Get('health/ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.oidc.isHealthy()]);
  }

  @Get('me')
  me(@Principal() principal: OidcPrincipal) {
    return principal;
  }
}
