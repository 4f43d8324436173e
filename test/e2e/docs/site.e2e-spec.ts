import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { builtSite, DOCS } from '../../support/built-site.js';
import { launchChromium } from '../../support/chromium.js';
import { documentationPages } from '../../support/documentation-pages.js';
import { serveStaticSite, type StaticSite } from '../../support/static-site.js';

jest.setTimeout(60_000);

/** The site path of every page whose source has ```mermaid blocks, and how many it has. */
function mermaidPages(): { path: string; diagrams: number }[] {
  const root = join(DOCS, '..');
  return documentationPages(root)
    .filter((page) => page.startsWith('docs/'))
    .map((page) => ({
      path: page
        .slice('docs'.length)
        .replace(/(^|\/)index\.md$/, '$1')
        .replace(/\.md$/, ''),
      diagrams: (readFileSync(join(root, page), 'utf8').match(/^```mermaid\s*$/gm) ?? []).length,
    }))
    .filter((page) => page.diagrams > 0);
}

describe('the documentation site in a real browser (headless Chromium)', () => {
  let site: StaticSite;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await serveStaticSite(builtSite());
    browser = await launchChromium();
  }, 330_000);

  beforeEach(async () => {
    // Wide enough for the sidebar and the appearance switch to sit in the page, not in a menu.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
  });

  /** Opens `path` and waits for Vue to take over the prerendered page: only then do keys and buttons work. */
  async function open(path: string): Promise<void> {
    await page.goto(`${site.url}${path}`);
    await page.waitForFunction(() => '__vue_app__' in (document.querySelector('#app') ?? {}));
  }

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('leads from the home page through the sidebar to a guide', async () => {
    await open('/');
    await expect(page.locator('.VPHero .name').innerText()).resolves.toContain('nest-oidc-auth');
    // The home page has no sidebar: its first action opens the Start section, which has one.
    await page.locator('.VPHero .VPButton.brand').first().click();
    await page.waitForURL(`${site.url}/start/`);
    await page.locator('.VPSidebar a', { hasText: /^Revocation$/ }).click();
    await page.waitForURL(`${site.url}/guides/revocation`);
    // The router changes the URL first, then the page: wait for the page's own heading.
    await page.locator('.vp-doc h1', { hasText: /revoc/i }).waitFor();
  });

  it('finds a page with the local search and opens it', async () => {
    await open('/start/');
    await page.keyboard.press('/');
    const input = page.locator('.VPLocalSearchBox input');
    await input.fill('autocannon');
    // Only the performance page names the load generator the benchmark drives.
    const result = page.locator('.VPLocalSearchBox .results .result').first();
    await expect(result.getAttribute('href')).resolves.toMatch(/\/performance(#|$)/);
    await result.click();
    await page.waitForURL(/\/performance(#.*)?$/);
    await page.locator('.vp-doc h1', { hasText: 'Performance' }).waitFor();
  });

  it('renders the flowchart of the architecture page', async () => {
    await open('/architecture');
    // Mermaid draws client-side, after the page has loaded: wait for the first node.
    const nodes = page.locator('.vp-doc .mermaid-diagram svg g.node');
    await nodes.first().waitFor();
    expect(await nodes.count()).toBeGreaterThan(5);
  });

  it('renders every Mermaid diagram of every page, none of them a syntax error', async () => {
    const pages = mermaidPages();
    expect(pages.map((p) => p.path)).toContain('/architecture');
    for (const { path, diagrams } of pages) {
      await open(path);
      const drawn = page.locator(
        '.vp-doc .mermaid-diagram:not(.bench-chart) svg[aria-roledescription]',
      );
      await page.waitForFunction(
        (n) =>
          document.querySelectorAll(
            '.vp-doc .mermaid-diagram:not(.bench-chart) svg[aria-roledescription]',
          ).length >= n,
        diagrams,
      );
      // Mermaid draws a diagram it cannot parse as an "error" diagram instead of throwing.
      const kinds = await drawn.evaluateAll((svgs) =>
        svgs.map((svg) => svg.getAttribute('aria-roledescription')),
      );
      expect({ path, errors: kinds.filter((kind) => kind === 'error').length }).toEqual({
        path,
        errors: 0,
      });
    }
  });

  it('draws the performance charts from the recorded runs', async () => {
    await open('/performance');
    // Each chart is an xychart: a bar chart's bars are the rects of its bar plot, one per category;
    // the chart across runs (with two runs or more) draws lines, the paths of its line plots.
    const bars = page.locator('.vp-doc .bench-chart svg g.plot g[class*="bar-plot"] rect');
    await bars.first().waitFor();
    expect(await page.locator('.vp-doc .bench-chart').count()).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.vp-doc .bench-chart')].every((chart) =>
        chart.querySelector(
          'svg[aria-roledescription="xychart"] g.plot :is(g[class*="bar-plot"] rect, g[class*="line-plot"] path)',
        ),
      ),
    );
  });

  it('switches between light and dark, and redraws the diagrams', async () => {
    await open('/architecture');
    await page.locator('.vp-doc .mermaid-diagram svg g.node').first().waitFor();
    const dark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
    const before = await dark();
    await page.locator('.VPNavBarAppearance .VPSwitchAppearance').click();
    await page.waitForFunction(
      (was) => document.documentElement.classList.contains('dark') !== was,
      before,
    );
    expect(await dark()).toBe(!before);
    await page.locator('.vp-doc .mermaid-diagram svg g.node').first().waitFor();
  });
});
