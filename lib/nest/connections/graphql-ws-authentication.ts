import type { CertificateCarrier } from '../../protocol/mtls/client-certificate.js';
import { authenticateHandshake, endWhenInvalid } from './connection-handshake.js';
import type { OidcAuthenticator } from '../authentication/oidc-authenticator.js';
import { bindAuthentication } from '../transports/call-authentications.js';
import {
  closeConnection,
  connectionParamsToken,
  GRAPHQL_WS_UNAUTHORIZED,
  type GraphQLWsConnection,
} from '../transports/graphql.transport.js';

/** RFC 6455's "try again later": the issuer's keys are unavailable, the token may be fine. */
const TRY_AGAIN_LATER = 1013;

// A WebSocket close reason holds at most 123 bytes.
function closeReason(message: string): string {
  return Buffer.from(message)
    .subarray(0, 123)
    .toString()
    .replace(/\uFFFD$/, '');
}

/** The graphql-ws server options this module supplies; spread others beside them. */
export interface GraphQLWsAuthenticationOptions {
  onConnect(ctx: GraphQLWsConnection): Promise<boolean>;
  onClose(ctx: GraphQLWsConnection): void;
}

/**
 * graphql-ws server options that authenticate a subscription connection at `connection_init`
 * (`connectionParams: { authorization: 'Bearer <token>' }`) and close it with 4401 when the token
 * is refused, expires or is revoked. Subscription resolvers then get the connection's principal and the usual
 * `@Scopes`/`@Roles` checks.
 *
 *     GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *       driver: ApolloDriver,
 *       inject: [OidcAuthenticator],
 *       useFactory: (auth: OidcAuthenticator) => ({
 *         subscriptions: { 'graphql-ws': graphqlWsAuthentication(auth) },
 *       }),
 *     })
 */
export function graphqlWsAuthentication(
  authenticator: OidcAuthenticator,
): GraphQLWsAuthenticationOptions {
  const expiries = new WeakMap<GraphQLWsConnection, () => void>();
  return {
    async onConnect(ctx) {
      const { authentication, refusal } = await authenticateHandshake(
        authenticator,
        'graphql-ws connection_init',
        () => connectionParamsToken(ctx.connectionParams),
        // graphql-ws's use/ws puts the upgrade request beside the socket.
        (ctx.extra as { request?: CertificateCarrier } | undefined)?.request,
      );
      if (!authentication) {
        // Closed here, before graphql-ws's own 4403, so that the client learns why.
        closeConnection(
          ctx,
          refusal.status === 503 ? TRY_AGAIN_LATER : GRAPHQL_WS_UNAUTHORIZED,
          closeReason(refusal.body.message),
        );
        return false;
      }
      bindAuthentication(ctx, authentication);
      expiries.set(
        ctx,
        endWhenInvalid(authenticator, authentication, (reason) =>
          closeConnection(ctx, GRAPHQL_WS_UNAUTHORIZED, closeReason(reason)),
        ),
      );
      return true;
    },
    onClose(ctx) {
      expiries.get(ctx)?.();
    },
  };
}
