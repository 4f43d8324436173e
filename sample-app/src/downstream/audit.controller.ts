import { Controller, Get } from '@nestjs/common';
import { type OidcPrincipal, Principal, Scopes } from '../../../lib/index.js';

/** The downstream API: it tells who called it, and for whom. */
@Controller('audit')
export class AuditController {
  @Scopes('audit:read')
  @Get('whoami')
  whoami(@Principal() principal: OidcPrincipal) {
    const actor = (principal.claims.act as { sub?: string } | undefined)?.sub;
    return {
      subject: principal.subject,
      actor,
      clientId: principal.clientId,
      isAppOnly: principal.isAppOnly,
      roles: [...principal.roles],
    };
  }
}
