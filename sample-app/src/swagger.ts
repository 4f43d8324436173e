import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addOpenApiSecurity, routeTable } from '../../lib/index.js';

export interface SwaggerLogin {
  authorizationUrl: string;
  tokenUrl: string;
  /** Public client Swagger UI logs in with (authorization code + PKCE). */
  clientId?: string;
}

const SCHEME = 'oidc';

/**
 * Swagger UI at /docs with an OAuth2 authorization-code + PKCE login. The scopes each operation
 * needs come from its `@Scopes()` metadata, so the docs cannot drift from what the guard enforces.
 */
export function setupSwagger(app: INestApplication, apiUrl: string, login: SwaggerLogin): void {
  const scopes = [...new Set(routeTable(app).flatMap((r) => r.policy.scopes.flat()))].sort();
  const config = new DocumentBuilder()
    .setTitle('Notes API')
    .setDescription('Sample API protected by nest-oidc-auth. Click Authorize to sign in.')
    .setVersion('1.0')
    .addOAuth2(
      {
        type: 'oauth2',
        flows: {
          authorizationCode: {
            authorizationUrl: login.authorizationUrl,
            tokenUrl: login.tokenUrl,
            scopes: Object.fromEntries([
              ['openid', 'Sign in'],
              ...scopes.map((s) => [s, `Required by some operations: ${s}`]),
            ]),
          },
        },
      },
      SCHEME,
    )
    .build();
  const document = addOpenApiSecurity(SwaggerModule.createDocument(app, config), app, {
    scheme: SCHEME,
  });
  SwaggerModule.setup('docs', app, document, {
    swaggerOptions: {
      persistAuthorization: true,
      oauth2RedirectUrl: `${apiUrl}/docs/oauth2-redirect.html`,
      initOAuth: {
        clientId: login.clientId,
        usePkceWithAuthorizationCodeGrant: true,
        scopes: ['openid', ...scopes],
      },
    },
  });
}
