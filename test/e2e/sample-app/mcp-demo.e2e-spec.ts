import { jest } from '@jest/globals';
import { mcpWalkthrough } from '../../../sample-app/src/clients/mcp-walkthrough.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { DEV_IDP_REDIRECT_URI, startSample } from '../../support/sample-app.js';

jest.setTimeout(30_000);

// `npm run demo`'s step 7 as it runs there, against the sample on free ports: every check it
// reports passes, and the lines it prints tell the story.
describe("the demo's MCP step", () => {
  let sample: SampleApp;

  beforeAll(async () => {
    sample = await startSample();
  });

  afterAll(() => sample?.close());

  it('reports every answer as expected', async () => {
    const lines: string[] = [];
    const checks: { ok: boolean; what: string; answer: string }[] = [];
    await mcpWalkthrough(
      {
        mcpResource: sample.mcpResource,
        issuer: sample.idp!.issuer,
        serviceClient: sample.idp!.serviceClient,
        redirectUri: DEV_IDP_REDIRECT_URI,
      },
      {
        line: (text) => lines.push(text),
        report: (ok, what, answer) => checks.push({ ok, what, answer }),
      },
    );

    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.what)).toEqual([
      'tools/list',
      'tools/call whoami',
      'tools/call list_notes',
      'tools/call add_note, first',
      'tools/call add_note, again',
      'tools/call audit_whoami',
    ]);
    expect(lines).toContain(
      `  service token (client credentials): aud=${sample.mcpResource} scope="notes:read notes:write"`,
    );
    expect(lines).toContain(`  bob's token: aud=${sample.mcpResource} scope="notes:read"`);
    expect(lines.some((l) => l.includes('login form as bob'))).toBe(true);
    expect(lines.some((l) => l.endsWith('token scope="notes:read notes:write"'))).toBe(true);
    expect(checks[3].answer).toMatch(
      /^403 Bearer .*error="insufficient_scope".*scope="notes:write"/,
    );
    expect(checks[5].answer).toContain('"subject":"bob"');
  });
});
