import { type Browser, chromium } from 'playwright-core';
import { executableOnPath } from './preflight.js';

/**
 * Headless Debian Chromium through playwright-core, found on PATH as the e2e preflight
 * (test/support/preflight.ts) finds it: without one the run stops there, before any suite, with the
 * command that installs it. Left to itself, playwright would look for a browser of its own download.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = executableOnPath('chromium');
  if (!executablePath) throw new Error('chromium is not on PATH: apt-get install -y chromium');
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
