import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type OAuthClientProvider,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { authorizeInBrowser, type Credentials } from './pkce-login.js';

export interface SignedInUserOptions {
  /** Where the provider sends the browser back with the code; nothing needs to listen there. */
  redirectUrl: string;
  /** Who signs in when the SDK sends the user to the provider. */
  credentials: Credentials;
  /**
   * An https URL serving this client's metadata document (a Client ID Metadata Document): when
   * the provider supports them, it is the client ID and no registration happens. Without it, the
   * SDK registers the client (RFC 7591).
   */
  clientMetadataUrl?: string;
}

/**
 * An MCP client's OAuth side as the SDK sees it (`OAuthClientProvider`), kept in memory, with a
 * user in a browser: when the SDK redirects to the provider, the user signs in and allows, and the
 * code the provider sends back waits for `finishAuth`. What a desktop MCP client does with a real
 * browser and a loopback redirect, scripted.
 */
export class SignedInUser implements OAuthClientProvider {
  /** One line per HTTP step of each sign-in, for humans. */
  readonly transcript: string[] = [];
  /** Every authorization request the SDK sent the user to, in order. */
  readonly authorizationRequests: URL[] = [];
  private client?: OAuthClientInformationMixed;
  private issued?: OAuthTokens;
  private verifier?: string;
  private expectedState?: string;
  private code?: string;

  constructor(private readonly options: SignedInUserOptions) {}

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadataUrl(): string | undefined {
    return this.options.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Notes MCP client',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    this.expectedState = randomBytes(16).toString('base64url');
    return this.expectedState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.client = client;
  }

  tokens(): OAuthTokens | undefined {
    return this.issued;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.issued = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('No authorization is in progress');
    return this.verifier;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    // After a 403 the SDK (1.32) asks for the challenge's scopes alone; MCP's 2026-07-28 revision
    // (SEP-2350) has the client ask for those it holds as well, so that stepping up for one tool
    // loses none of the others.
    const scopes = new Set([
      ...(this.issued?.scope?.split(' ') ?? []),
      ...(authorizationUrl.searchParams.get('scope')?.split(' ') ?? []),
    ]);
    scopes.delete('');
    if (scopes.size) authorizationUrl.searchParams.set('scope', [...scopes].join(' '));
    this.authorizationRequests.push(authorizationUrl);
    const back = await authorizeInBrowser(
      authorizationUrl.href,
      this.options.redirectUrl,
      this.options.credentials,
      this.transcript,
    );
    const error = back.searchParams.get('error');
    if (error) {
      throw new Error(
        `Authorization failed: ${error} ${back.searchParams.get('error_description') ?? ''}`,
      );
    }
    if (back.searchParams.get('state') !== this.expectedState) {
      throw new Error('Authorization failed: state mismatch');
    }
    this.code = back.searchParams.get('code') ?? undefined;
  }

  /** The code of the last sign-in, once: what the client's redirect handler would receive. */
  takeCode(): string {
    const { code } = this;
    if (!code) throw new Error('No authorization code came back');
    this.code = undefined;
    return code;
  }
}

/**
 * Runs `call`; when the SDK had to send the user to the provider (it throws `UnauthorizedError`
 * once the user is on their way), exchanges the code that came back and runs `call` once more.
 */
export async function afterSignIn<T>(
  transport: StreamableHTTPClientTransport,
  user: SignedInUser,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    await transport.finishAuth(user.takeCode());
    return call();
  }
}

/**
 * An SDK client connected to the MCP server at `url` with `authProvider` (and `fetch`, to watch
 * the exchanges). A user who must sign in first does, and the client connects again over a fresh
 * transport, as the SDK's own examples do.
 */
export async function connectMcpClient(
  url: string,
  authProvider: OAuthClientProvider,
  options: { fetch?: FetchLike } = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const open = async () => {
    const client = new Client({ name: 'notes-mcp-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      authProvider,
      fetch: options.fetch,
    });
    await client.connect(transport);
    return { client, transport };
  };
  try {
    return await open();
  } catch (err) {
    if (!(err instanceof UnauthorizedError) || !(authProvider instanceof SignedInUser)) throw err;
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      authProvider,
      fetch: options.fetch,
    });
    await transport.finishAuth(authProvider.takeCode());
    return open();
  }
}
