import { chromium } from 'playwright-core';
const base = process.argv[2];
const pages = process.argv.slice(3);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const width = Number(process.env.W ?? 1200);
const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: process.env.DARK ? 'dark' : 'light' });
const page = await context.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
page.on('response', (r) => { if (r.status() >= 400) console.log('HTTP', r.status(), r.url()); });
for (const [i, hash] of pages.entries()) {
  await page.goto(`${base}/${hash}`);
  await page.waitForFunction(() => document.body.dataset.ready !== undefined && !document.querySelector('main[aria-busy]'));
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(hash, 'title=', await page.title(), 'overflow=', overflow);
  await page.screenshot({ path: `/tmp/exp/shots/${i}.png`, fullPage: true });
}
await browser.close();
