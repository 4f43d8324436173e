import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterSignIn, connectMcpClient, SignedInUser } from './mcp-user-session.js';

export interface McpWalkthroughTarget {
  /** The MCP endpoint, which is also its resource URI. */
  mcpResource: string;
  issuer: string;
  serviceClient: { clientId: string; clientSecret: string };
  /** Where the provider sends the user's browser back with the code. */
  redirectUri: string;
}

/** Where the walkthrough writes: a line of narration, and a check with its answer. */
export interface McpWalkthroughOutput {
  line(text: string): void;
  report(ok: boolean, what: string, answer: string, expected: string): void;
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

function answerOf(result: unknown): string {
  const { isError, structuredContent, content } = result as CallToolResult;
  if (isError)
    return `error: ${content.map((c) => (c.type === 'text' ? c.text : c.type)).join(' ')}`;
  return JSON.stringify(structuredContent);
}

/**
 * `npm run demo`'s MCP step: the official SDK client at the sample's MCP endpoint, first as the
 * service (client credentials), then as bob (registration, sign-in with PKCE, step-up to write),
 * everything found from the 401. Each answer is reported against the expected one.
 */
export async function mcpWalkthrough(
  target: McpWalkthroughTarget,
  out: McpWalkthroughOutput,
): Promise<void> {
  const service = new ClientCredentialsProvider({
    ...target.serviceClient,
    expectedIssuer: target.issuer,
    scope: 'notes:read notes:write',
  });
  const asService = await connectMcpClient(target.mcpResource, service);
  try {
    const token = claimsOf(service.tokens()!.access_token);
    out.line(`  service token (client credentials): aud=${token.aud} scope="${token.scope}"`);
    const { tools } = await asService.client.listTools();
    const names = tools.map((tool) => tool.name).join(', ');
    out.report(names.includes('add_note'), 'tools/list', names, 'the notes tools');
    const who = await asService.client.callTool({ name: 'whoami', arguments: {} });
    out.report(!who.isError, 'tools/call whoami', answerOf(who), 'the service');
  } finally {
    await asService.client.close();
  }

  const bob = new SignedInUser({
    redirectUrl: target.redirectUri,
    credentials: { username: 'bob', password: 'bob' },
  });
  let stepUpChallenge: string | undefined;
  const watching = async (url: string | URL, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (res.status === 403) stepUpChallenge = res.headers.get('www-authenticate') ?? undefined;
    return res;
  };
  const asBob = await connectMcpClient(target.mcpResource, bob, { fetch: watching });
  try {
    const client = bob.clientInformation()!.client_id;
    out.line(`  bob's client registered itself (RFC 7591) as ${client}; bob signed in:`);
    for (const entry of bob.transcript) out.line(`    ${entry}`);
    const token = claimsOf(bob.tokens()!.access_token);
    out.line(`  bob's token: aud=${token.aud} scope="${token.scope}"`);
    const listed = await asBob.client.callTool({ name: 'list_notes', arguments: {} });
    out.report(!listed.isError, 'tools/call list_notes', answerOf(listed), 'the notes');
    const signIns = bob.authorizationRequests.length;
    const added = await afterSignIn(asBob.transport, bob, () =>
      asBob.client.callTool({ name: 'add_note', arguments: { text: 'by bob over MCP' } }),
    );
    out.report(
      stepUpChallenge?.includes('scope="notes:write"') === true,
      'tools/call add_note, first',
      `403 ${stepUpChallenge ?? '(none)'}`,
      '403 asking for notes:write',
    );
    const stepped = claimsOf(bob.tokens()!.access_token);
    out.line(
      `  bob allowed notes:write (sign-ins: ${bob.authorizationRequests.length - signIns}); token scope="${stepped.scope}"`,
    );
    out.report(!added.isError, 'tools/call add_note, again', answerOf(added), 'the note');
    const audited = await asBob.client.callTool({ name: 'audit_whoami', arguments: {} });
    out.report(!audited.isError, 'tools/call audit_whoami', answerOf(audited), 'bob, by exchange');
  } finally {
    await asBob.client.close();
  }
}
