// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text a reader sees, which these tests assert on.
// The explorer at `/` in a real browser: Debian's Chromium driven by playwright-core against a listening,
// seeded server. Each view, search, a filter, the matrix, a timeline, a hostile statement, right-to-left
// names, the phone width, keyboard focus and axe-core; screenshots of each view go to docs/screenshots/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { ROOT } from '../src/lib/paths.js';
import { createKey } from '../src/modules/keys/keys.service.js';

// The browser's globals, for the functions that run in the page (the project compiles without the DOM library).
declare const document: any;
declare const location: any;
declare const window: any;
declare function getComputedStyle(element: unknown): any;
type HTMLElement = any;
type Document = any;

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';
// Arabic rather than Urdu: Debian's default fonts lack some Urdu letters, which would show as boxes in the
// screenshots; the right-to-left handling is the same.
const RTL_NAME = 'المتحدث باسم وزارة الخارجية';
const chromiumMissing = !existsSync(CHROMIUM);
const HOW_TO_INSTALL = `Chromium not found at ${CHROMIUM}; install it (Debian: apt-get install -y chromium) to run the explorer's browser tests`;

test('GET / serves the explorer with its own strict CSP, the API answers without one, and the files stay out of the OpenAPI document', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-explorer-'));
  const app = await buildApp({ databasePath: join(dir, 'test.db'), logLevel: 'silent', authDisabled: false, seed: false });
  t.after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const home = await app.inject({ url: '/' });
  assert.equal(home.statusCode, 200);
  assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(home.body, /<script type="module" src="\/explorer\/js\/main.js"><\/script>/);
  const csp = String(home.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const script = await app.inject({ url: '/explorer/js/main.js' });
  assert.equal(script.statusCode, 200);
  assert.match(String(script.headers['content-type']), /^(text|application)\/javascript/);
  assert.equal(script.headers['content-security-policy'], csp);
  assert.ok(script.headers.etag);
  assert.equal(
    (await app.inject({ url: '/explorer/js/main.js', headers: { 'if-none-match': String(script.headers.etag) } })).statusCode,
    304,
  );
  // Nothing outside explorer/ is reachable through it.
  assert.notEqual((await app.inject({ url: '/explorer/../package.json' })).statusCode, 200);
  assert.equal((await app.inject({ url: '/explorer/%2e%2e/package.json' })).statusCode, 404);
  const api = await app.inject({ url: '/v1/actors' });
  assert.equal(api.headers['content-security-policy'], undefined);
  const paths = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
  assert.deepEqual(
    paths.filter((p) => p === '/' || p.startsWith('/explorer')),
    [],
  );
});

if (chromiumMissing && process.env.CI === 'true') {
  test('Chromium is installed for the browser tests', () => assert.fail(`${HOW_TO_INSTALL}. .ci/run installs it.`));
}

describe('the explorer in Chromium', { skip: chromiumMissing ? HOW_TO_INSTALL : false }, () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const dirs: string[] = [];
  const problems: string[] = [];
  /** While a test asks for a refusal on purpose, a 400 and the browser's note of it are not problems. */
  let refusalExpected = false;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statements-explorer-'));
    dirs.push(dir);
    app = await buildApp({ databasePath: join(dir, 'test.db'), logLevel: 'silent', authDisabled: false, seed: true });
    const key = await createKey(app.storage, 'test');
    const write = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
      const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
    };
    // Beyond the seed: a speaker with an Arabic name whose statement is hostile markup, and an earlier period
    // of Pakistan's stance on talks with the TTP, so the timeline has two, one statement revised once.
    await write('POST', '/v1/actors', { id: 'rtl-spokesperson', name: RTL_NAME, kind: 'person', parentId: 'pakistan' });
    await write('POST', '/v1/statements', {
      id: 'hostile',
      text: HOSTILE,
      kind: 'quote',
      speakerId: 'rtl-spokesperson',
      sourceIds: ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp'],
      topicIds: ['migration'],
      statedOn: '2024-04-05',
    });
    await write('POST', '/v1/statements', {
      id: 'pakistan-2023-open-to-talks',
      text: 'Pakistan is open to talks with those who lay down arms.',
      kind: 'paraphrase',
      speakerId: 'pakistan',
      sourceIds: ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp'],
      topicIds: ['talks-with-ttp'],
      statedOn: '2023-03-01',
    });
    await write('PATCH', '/v1/statements/pakistan-2023-open-to-talks', {
      text: 'Pakistan is open to talks with those who lay down their arms.',
    });
    await write('POST', '/v1/positions', {
      id: 'pakistan-supports-talks-with-ttp-from-2023-01-01',
      actorId: 'pakistan',
      topicId: 'talks-with-ttp',
      stance: 'supports',
      summary: 'Pakistan is open to talks with TTP members who lay down their arms.',
      validFrom: '2023-01-01',
      validTo: '2024-04-04',
      evidence: [{ statementId: 'pakistan-2023-open-to-talks', relation: 'asserts' }],
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });

    const profile = mkdtempSync(join(tmpdir(), 'statements-chromium-'));
    dirs.push(profile);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 900 },
      colorScheme: 'light',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    // A fixed clock: "today" (the matrix's default date, open periods' end) is the same on every run.
    await page.clock.setFixedTime(new Date('2025-06-30T12:00:00Z'));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (refusalExpected && message.text().includes('status of 400')) return;
      if (message.type() === 'error' || message.text().includes('Content-Security-Policy')) problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !(refusalExpected && response.status() === 400))
        problems.push(`HTTP ${response.status()} ${response.url()}`);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await app?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the page shows the view of its current hash. */
  const ready = () =>
    page.waitForFunction(() => document.body.dataset.ready === (location.hash || '#/') && !document.querySelector('main[aria-busy]'));

  async function open(hash: string) {
    await page.goto(`${base}/${hash}`);
    await ready();
  }

  /** Clicks and waits for the view the click leads to. */
  async function follow(click: Promise<void>, hash: RegExp) {
    await click;
    await page.waitForURL(hash);
    await ready();
  }

  /** The main landmark's text, each run of whitespace as one space. */
  const mainText = async () => flat(await page.locator('main').innerText());
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

  async function shot(name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }

  test('home: what the archive holds, the most active speakers and topics, the latest statements', async () => {
    await open('');
    assert.equal(await page.title(), 'Home — Diplomatic Statements');
    const counts = await page.locator('.counts li').allInnerTexts();
    assert.deepEqual(counts.slice(0, 3), ['16 statements', '6 verbatim quotes', '4 positions held today']);
    assert.deepEqual((await page.locator('#s-most-active-speakers + ol li a').allInnerTexts())[0], 'Mumtaz Zahra Baloch');
    assert.equal((await page.locator('#s-most-discussed-topics + ol li').first().innerText()).trim(), 'Counter-terrorism 10 statements');
    assert.equal(await page.locator('#s-latest-statements ~ ol .card').count(), 5);
    await shot('home');
  });

  test('keyboard: the search box is reached with Tab, focus is visible, and Enter searches', async () => {
    await open('');
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'search-q'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    assert.equal(focused, 'search-q', 'Tab reaches the search box within ten presses');
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { visible: el.matches(':focus-visible'), style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    assert.deepEqual(outline, { visible: true, style: 'solid', width: 3 });
    await page.keyboard.type('talks TTP');
    await follow(page.keyboard.press('Enter'), /#\/statements\?q=talks\+TTP$/);
    assert.equal(await page.locator('h1').innerText(), 'Search');
    await page.waitForFunction(() => document.querySelector('.total')?.textContent?.includes('match'));
    assert.equal(await page.locator('.total').innerText(), '3 statements match');
    const marks = await page.locator('main .cards mark').allInnerTexts();
    assert.ok(marks.includes('talks') && marks.includes('TTP'), `marks: ${marks}`);
    assert.match(await page.locator('main .cards .card').first().innerText(), /Pakistan is not holding any talks/);
    await shot('search');
  });

  test('statements: a filter goes into the URL, survives a reload and the back button; exports follow it', async () => {
    await open('#/statements');
    assert.equal(await page.locator('main .cards .card').count(), 16);
    await page
      .locator('details.filter-box summary')
      .click({ trial: true })
      .catch(() => undefined);
    await page.selectOption('#f-kind', 'quote');
    await page.fill('#f-topic', 'counter-terrorism');
    await follow(page.click('main form.filters button[type=submit]'), /kind=quote/);
    assert.match(page.url(), /#\/statements\?topic=counter-terrorism&kind=quote$/);
    const kinds = await page.locator('main .cards .kind').allInnerTexts();
    assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'Quote'), `kinds: ${kinds}`);
    await page.waitForFunction(() => /^\d/.test(document.querySelector('.total')?.textContent ?? ''));
    const total = await page.locator('.total').innerText();
    assert.equal(total, `${kinds.length} statement${kinds.length === 1 ? '' : 's'}`);
    assert.equal(
      await page.locator('a[download="statements.csv"]').getAttribute('href'),
      '/v1/statements?topic=counter-terrorism&kind=quote&format=csv',
    );
    assert.equal(
      await page.locator('a[download="statements.ndjson"]').getAttribute('href'),
      '/v1/statements?topic=counter-terrorism&kind=quote&format=ndjson',
    );
    await page.reload();
    await ready();
    assert.equal(await page.inputValue('#f-topic'), 'counter-terrorism');
    assert.equal(await page.locator('main .cards .card').count(), kinds.length);
    await page.goBack();
    await page.waitForURL(/#\/statements$/);
    await ready();
    assert.equal(await page.locator('main .cards .card').count(), 16);
    await shot('statements');
  });

  test('statements: a filter the API refuses is explained beside the form', async () => {
    refusalExpected = true;
    try {
      await open('#/statements?speaker=Not%20A%20Slug');
      assert.equal(
        await page.locator('main [role=alert]').innerText(),
        'query /speaker must be one or more ids (lowercase slugs) separated by commas.',
      );
      assert.equal(await page.inputValue('#f-speaker'), 'Not A Slug');
    } finally {
      refusalExpected = false;
    }
  });

  test('statements: paging by cursor, the cursor in the URL', async () => {
    await open('#/statements?limit=6');
    const first = await page.locator('main .cards .card p.meta a.more').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.equal(first.length, 6);
    await follow(page.click('a[rel=next]'), /cursor=/);
    const second = await page.locator('main .cards .card p.meta a.more').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.equal(second.length, 6);
    assert.deepEqual(
      second.filter((h) => first.includes(h)),
      [],
    );
    await follow(page.click('a[rel=next]'), /cursor=/);
    assert.equal(await page.locator('main .cards .card').count(), 4);
    assert.equal(await page.locator('a[rel=next]').count(), 0);
    await follow(page.click('text=← First page'), /#\/statements\?limit=6$/);
    assert.equal(await page.locator('main .cards .card').count(), 6);
  });

  test('three clicks from / answer what Pakistan said about talks with the TTP, when, in reply to what, and where it is reported', async () => {
    await open('');
    await follow(page.click('nav a[data-view=positions]'), /#\/positions$/);
    await follow(
      page.click('a.cell[aria-label="Pakistan opposes Talks with the TTP"]'),
      /#\/position\/pakistan-opposes-talks-with-ttp-from-2024-04-04$/,
    );
    await follow(
      page.click('a[aria-label="Open the statement fo-2024-04-04-no-talks-with-ttp"]'),
      /#\/statement\/fo-2024-04-04-no-talks-with-ttp$/,
    );
    const text = await mainText();
    for (const expected of [
      'Pakistan is not holding any talks with Tehreek-e-Taliban Pakistan (TTP) and has no plans to hold talks with them in future.',
      'On behalf of Pakistan',
      'Date 4 April 2024',
      'In reply to Asked to respond to the Afghan deputy interior minister’s advice',
      'Pakistan not in talks with TTP: FO',
      'The News · by Mariana Baabar · 5 April 2024 · news report',
      'Pakistan and TTP should resolve their issues through dialogue',
    ]) {
      assert.ok(text.includes(expected), `the statement page shows: ${expected}\n---\n${text}`);
    }
    assert.match(
      await page.locator('#s-evidence-for-positions ~ ul').innerText(),
      /Pakistan opposes Talks with the TTP — this statement reiterates it/,
    );
    await shot('statement');
  });

  test('a statement: what it responds to, what responds to it, and its revision history', async () => {
    await open('#/statement/afghan-deputy-interior-minister-advice-pakistan-ttp-dialogue');
    assert.match(await page.locator('#s-responses ~ ol').innerText(), /Pakistan is not holding any talks/);
    await open('#/statement/pakistan-2023-open-to-talks');
    assert.deepEqual(await page.locator('#s-history ~ ol li').allInnerTexts(), [
      `Version 1 — recorded on ${await today()}`,
      `Version 2 — changed on ${await today()} (1 field: text)`,
    ]);
    assert.match(
      await page.locator('#s-evidence-for-positions ~ ul').innerText(),
      /Pakistan supports Talks with the TTP — this statement asserts it/,
    );
  });

  /** The server's date as the page writes it (revisions are stamped by the server, not the page's clock). */
  async function today() {
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date());
  }

  test('positions: the stance matrix on a chosen date, each cell opening its position with the evidence', async () => {
    await open('#/positions');
    assert.equal(await page.inputValue('#as-of'), '2025-06-30');
    const rows = await page.locator('table.matrix tbody tr').allInnerTexts();
    assert.equal(rows.length, 1);
    assert.match(rows[0] ?? '', /^Pakistan\s+supports\s+supports\s+supports\s+opposes$/);
    await shot('positions');
    await page.fill('#as-of', '2023-06-01');
    await follow(page.click('main form.filters button[type=submit]'), /asOf=2023-06-01/);
    assert.equal(
      await page.locator('table.matrix caption').innerText(),
      'Who stood where on 1 June 2023: each cell opens the position and its evidence',
    );
    assert.deepEqual(await page.locator('table.matrix thead th').allInnerTexts(), ['Actor', 'Talks with the TTP']);
    await follow(page.click('a.cell'), /#\/position\/pakistan-supports-talks-with-ttp-from-2023-01-01$/);
    assert.equal(await page.locator('h1').innerText(), 'Pakistan supports Talks with the TTP');
    assert.match(await mainText(), /Held 1 January 2023 – 4 April 2024/);
    assert.equal(
      flat(await page.locator('#s-evidence ~ ol').innerText()),
      '1 March 2023 · asserts Pakistan is open to talks with those who lay down their arms. Pakistan · Open the statement',
    );
  });

  test('a timeline: an actor’s stance on a topic over time, with the evidence along it', async () => {
    await open('#/timeline?actor=pakistan&topic=talks-with-ttp');
    assert.equal(await page.locator('h1').innerText(), 'Pakistan on Talks with the TTP over time');
    assert.deepEqual(await page.locator('svg .period text').allTextContents(), ['supports', 'opposes']);
    assert.equal(await page.locator('svg circle.mark').count(), 2);
    assert.equal(
      await page.locator('figure.timeline svg').getAttribute('aria-label'),
      'Pakistan on Talks with the TTP: supports from 2023-01-01 to 2024-04-04; opposes from 2024-04-04 on',
    );
    assert.deepEqual(await page.locator('ol.periods > li > h2').allInnerTexts(), [
      'supports 1 January 2023 – 4 April 2024',
      'opposes 4 April 2024 – still held',
    ]);
    // Each evidence dot is a link to its statement, reachable by keyboard.
    await follow(page.locator('svg a').first().click(), /#\/statement\/pakistan-2023-open-to-talks$/);
    await page.goBack();
    await ready();
    await shot('timeline');
  });

  test('trends: statements per month by speaker as an SVG chart with its numbers, under the filters', async () => {
    await open('#/trends?by=speaker');
    assert.equal(await page.inputValue('#f-by'), 'speaker');
    const header = await page.locator('table.numbers thead th').allInnerTexts();
    assert.equal(header[1], 'Mumtaz Zahra Baloch');
    const rows = await page.locator('table.numbers tbody tr').allInnerTexts();
    assert.equal(rows.length, 14, 'every month from March 2023 to April 2024');
    assert.match(rows[0] ?? '', /^Mar 2023\s/);
    assert.match(rows.at(-1) ?? '', /^Apr 2024\s+10\s+0\s+1\s+1\s+12$/);
    assert.ok((await page.locator('svg.chart rect').count()) >= 3);
    await page.selectOption('#f-by', 'topic');
    await page.fill('#f-from', '2024-01-01');
    await follow(page.click('main form.filters button[type=submit]'), /by=topic/);
    assert.match(page.url(), /#\/trends\?by=topic&from=2024-01-01$/);
    assert.equal((await page.locator('table.numbers thead th').allInnerTexts())[1], 'Counter-terrorism');
    assert.match((await page.locator('table.numbers tbody tr').allInnerTexts())[0] ?? '', /^Apr 2024\s+8\s/);
    await shot('trends');
  });

  test('an actor and a topic: who or what it is, its statements, its positions', async () => {
    await open('#/actor/pakistan');
    assert.equal(await page.locator('h1').innerText(), 'Pakistan');
    assert.match(await mainText(), /Members Ministry of Foreign Affairs of Pakistan, /);
    assert.equal(await page.locator('table.positions tbody tr').count(), 5);
    await shot('actor');
    await open('#/topic/talks-with-ttp');
    assert.equal(await page.locator('.crumbs').innerText(), 'Topic › Counter-terrorism › Tehreek-e-Taliban Pakistan (TTP)');
    assert.match(await mainText(), /3 statements, its subtopics included\./);
    assert.deepEqual(await page.locator('table.positions tbody th').allInnerTexts(), [
      'Pakistan',
      'Pakistan',
      'Afghan Deputy Interior Minister',
    ]);
    await shot('topic');
  });

  test('a hostile statement shows its characters and runs nothing; an Arabic name reads right to left', async () => {
    await open('#/statement/hostile');
    assert.equal(await page.locator('main blockquote.quote').innerText(), HOSTILE);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const name = page.locator('h1 bdi');
    assert.equal(await name.innerText(), RTL_NAME);
    assert.equal(await name.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    assert.equal(await page.locator('h1').innerText(), `What ${RTL_NAME} said`);
    // In a search snippet too, only <mark> is taken as markup.
    await open('#/statements?q=onerror');
    assert.equal(await page.locator('main .cards .card p').first().innerText(), HOSTILE);
    assert.deepEqual(await page.locator('main .cards mark').allInnerTexts(), ['onerror']);
    assert.equal(await page.locator('main img').count(), 0);
  });

  const VIEWS = [
    '',
    '#/statements',
    '#/statements?q=talks',
    '#/statement/fo-2024-04-04-no-talks-with-ttp',
    '#/positions',
    '#/position/pakistan-opposes-talks-with-ttp-from-2024-04-04',
    '#/timeline?actor=pakistan&topic=talks-with-ttp',
    '#/trends',
    '#/actor/pakistan',
    '#/topic/talks-with-ttp',
  ];

  test('at 390 px wide nothing overflows sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const view of VIEWS) {
        await open(view);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, `${view || '/'} overflows by ${overflow} px`);
      }
      await open('#/positions');
      await shot('phone-positions');
    } finally {
      await page.setViewportSize({ width: 1100, height: 900 });
    }
  });

  test('axe-core finds no serious or critical violation in any view, light or dark', async () => {
    // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected <script>. Views
    // are then reached by changing the hash, as a reader would, so axe is loaded once.
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await open('');
    await page.evaluate(axeSource);
    const found: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const view of VIEWS) {
        await page.evaluate((hash) => {
          location.hash = hash || '#/';
        }, view);
        await ready();
        // Dark differs from light only in its colours: check their contrast there.
        const violations = await page.evaluate(async (onlyColours) => {
          const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: any[] }> } }).axe;
          // resultTypes: only violations are worked out in full, which roughly halves the time of a run.
          const result = await axe.run(document, { resultTypes: ['violations'], ...(onlyColours ? { runOnly: ['color-contrast'] } : {}) });
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n: { target: string[] }) => n.target.join(' ')).join(', ')}`);
        }, colorScheme === 'dark');
        found.push(...violations.map((v) => `${colorScheme} ${view || '/'}: ${v}`));
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(found, []);
  });

  test('no page error, CSP violation or failed request along the way', () => {
    assert.deepEqual(problems, []);
  });
});
