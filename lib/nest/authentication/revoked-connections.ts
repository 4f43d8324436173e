import type { OidcPrincipal } from '../../core/claims/principal.js';
import type { RevocationList } from '../../core/revocation/revocation-list.js';

interface Watched {
  readonly principal: OidcPrincipal;
  readonly end: (reason: string) => void;
}

/**
 * The open connections (WebSocket, socket.io, graphql-ws) of this process, checked against the
 * revocation list each time it refuses more: a revoked one is ended at once, not at its next
 * message, which an idle subscription may never send. A burst of revocations (a replica catching
 * up) costs one pass, on the next turn of the event loop.
 */
export class RevokedConnections {
  private readonly open = new Set<Watched>();
  private scheduled = false;

  constructor(private readonly list: RevocationList) {
    list.onRevoked(() => this.schedule());
  }

  /** Calls `end` with the refusal once `principal`'s token is revoked. Returns the function that stops it. */
  watch(principal: OidcPrincipal, end: (reason: string) => void): () => void {
    const watched = { principal, end };
    this.open.add(watched);
    return () => this.open.delete(watched);
  }

  private schedule(): void {
    if (this.scheduled || this.open.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sweep();
    });
  }

  private sweep(): void {
    for (const watched of this.open) {
      const { issuer, subject, clientId, claims } = watched.principal;
      const revocation = this.list.refusalOf(issuer, subject, clientId, claims);
      if (revocation === undefined) continue;
      this.open.delete(watched);
      watched.end(`The token was revoked (${revocation.cause})`);
    }
  }
}
