import { jest } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TokenClient } from '../../../lib/index.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { launchChromium } from '../../support/chromium.js';
import { startSample } from '../../support/sample-app.js';

jest.setTimeout(60_000);

const OUTPUT = join(import.meta.dirname, '..', '..', '..', 'test-output');

describe('Swagger UI login in a real browser (headless Chromium)', () => {
  let sample: SampleApp;
  let browser: Browser;

  beforeAll(async () => {
    sample = await startSample();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await sample?.close();
  });

  /** Clicks Authorize, signs in at the provider's page in the popup, and returns authorized. */
  async function authorize(page: Page, username: string): Promise<void> {
    await page.goto(`${sample.apiUrl}/docs`);
    await page.locator('.auth-wrapper .btn.authorize').click();
    const popup = page.waitForEvent('popup');
    await page.locator('.auth-btn-wrapper .btn.modal-btn.auth.authorize').click();
    const login = await popup;
    await login.locator('#username').fill(username);
    await login.locator('#password').fill(username);
    await login.locator('#login-submit').click();
    await login.locator('#consent-allow').click();
    await page.locator('.auth-btn-wrapper .btn.modal-btn.auth', { hasText: 'Logout' }).waitFor();
    await page.locator('.auth-btn-wrapper .btn-done').click();
  }

  /** Runs one operation with Try it out and returns the HTTP status Swagger UI shows. */
  async function tryItOut(
    page: Page,
    operationId: string,
    params: Record<string, string> = {},
  ): Promise<string> {
    const operation = page.locator(`#operations-${operationId}`);
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    for (const [name, value] of Object.entries(params)) {
      await operation.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    await operation.locator('.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor();
    // The cell reads e.g. "403\nUndocumented" for statuses the document does not list.
    return (await status.first().innerText()).trim().split(/\s+/)[0];
  }

  it('alice authorizes through the provider and lists notes (200)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await authorize(page, 'alice');
    expect(await tryItOut(page, 'notes-NotesController_list')).toBe('200');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'swagger-authorized.png'), fullPage: true });
    await context.close();
  });

  it('bob is authorized too, but the admin route answers 403', async () => {
    const idp = sample.idp!;
    const service = await new TokenClient({
      tokenEndpoint: idp.tokenEndpoint,
      ...idp.serviceClient,
    }).getAppToken({
      scopes: ['notes:write'],
    });
    const created = await fetch(`${sample.apiUrl}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'to be deleted' }),
    });
    const { id } = (await created.json()) as { id: number };
    const context = await browser.newContext();
    const page = await context.newPage();
    await authorize(page, 'bob');
    expect(await tryItOut(page, 'notes-NotesController_remove', { id: String(id) })).toBe('403');
    await context.close();
  });
});
