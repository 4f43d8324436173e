import { startSampleApp } from './server.js';
import { SettingsError } from './config/auth-settings.js';

function banner(started: Awaited<ReturnType<typeof startSampleApp>>): string {
  const { apiUrl, idp, settings } = started;
  const lines = [
    '',
    `  Notes API       ${apiUrl}`,
    `  Swagger UI      ${apiUrl}/docs`,
    `  MCP server      ${started.mcpResource} (Streamable HTTP; metadata at ${apiUrl}/.well-known/oauth-protected-resource/mcp)`,
  ];
  if (idp) {
    const { clientId, clientSecret } = idp.serviceClient;
    lines.push(
      `  Issuer (dev)    ${idp.issuer}`,
      `  Users           ${idp.users.map((u) => `${u.username}/${u.password}${u.roles.length ? ` (${u.roles.join(', ')})` : ''}`).join(', ')}`,
      `  Service client  ${clientId} / ${clientSecret}`,
      `  Opaque client   ${idp.opaqueClient.clientId} / ${idp.opaqueClient.clientSecret} (reference tokens, introspected by ${idp.introspectionClient.clientId})`,
      `  Audit API       ${started.downstreamUrl} (called by GET /downstream/on-behalf-of and /downstream/as-service, and the MCP tool audit_whoami)`,
      `  MCP clients     register at ${idp.registrationEndpoint} (RFC 7591) or use an https client ID metadata document`,
      '',
      '  Try it (client credentials, then GET /notes):',
      `    TOKEN=$(curl -s -u ${clientId}:${clientSecret} -d grant_type=client_credentials \\`,
      `      -d scope="notes:read notes:write" ${idp.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      `    curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/notes`,
    );
  } else if (settings.mode === 'external') {
    lines.push(`  Issuer          ${settings.description}`);
  }
  return `${lines.join('\n')}\n`;
}

try {
  const started = await startSampleApp();
  process.stdout.write(banner(started));
  const stop = () => void started.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof SettingsError) {
    process.stderr.write(`Cannot start the sample app: ${err.message}\n`);
  } else {
    process.stderr.write(
      `Cannot start the sample app: ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }
  process.exit(1);
}
