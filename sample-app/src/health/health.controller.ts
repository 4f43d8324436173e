import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type OidcPrincipal, Principal, Public } from '../../../lib/index.js';

@ApiTags('identity')
@Controller()
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('me')
  me(@Principal() principal: OidcPrincipal) {
    return principal;
  }
}
