// Browser and accessibility gate over a built hit-atlas site, in Debian's headless Chromium.
//
//   node check.mjs --site ../../site --shots ../../artifacts/screenshots [--chromium /usr/bin/chromium]
//
// Serves the site on 127.0.0.1 and, with JavaScript on, loads every page and fails on: a console
// error or uncaught exception (CSP violations included), a failed request or HTTP status >= 400,
// any request to a host other than 127.0.0.1 (blocked and reported), a chart figure without a
// visible, non-empty <svg role="img">, a sortable table whose headings do not sort it. With
// JavaScript off, the tables must still be complete and readable. axe-core (WCAG 2.0/2.1 A and
// AA) runs on one page of every type; any serious or critical violation fails. Screenshots of the
// index at desktop and phone widths go to --shots. Exit 0 when clean, 1 on findings, 2 on a crash.
import { readFile, readdir, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function args() {
  const a = { site: 'site', shots: 'artifacts/screenshots', chromium: '/usr/bin/chromium' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option ${argv[i]}`);
    a[k] = argv[i + 1];
  }
  return a;
}

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

const findings = [];
const fail = (where, what) => findings.push(`${where}: ${what}`);

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/** A browser context whose every request to a host other than 127.0.0.1 is aborted and recorded. */
async function context(browser, origin, opts = {}) {
  const ctx = await browser.newContext(opts);
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      /* not a URL: data: is handled below */
    }
    if (url.startsWith('data:') || url.startsWith('blob:') || host === '127.0.0.1') return route.continue();
    fail(route.request().frame()?.url() ?? origin, `request leaving 127.0.0.1 blocked: ${url}`);
    return route.abort('blockedbyclient');
  });
  return ctx;
}

/** Records console errors, page errors, failed requests and HTTP errors of `page` under `name`. */
function watch(page, name) {
  page.on('console', (m) => {
    if (m.type() === 'error') fail(name, `console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => fail(name, `uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Requests we aborted ourselves are already reported as leaving 127.0.0.1.
    if (!r.failure()?.errorText?.startsWith('net::ERR_BLOCKED_BY_CLIENT')) fail(name, `request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) fail(name, `HTTP ${r.status()} for ${r.url()}`);
  });
}

/** Every <figure class="chart"> must hold a visible <svg role="img"> of non-zero size with a name. */
async function checkCharts(page, name) {
  const charts = await page.$$eval('figure.chart', (figs) =>
    figs.map((f) => {
      const svg = f.querySelector('svg[role="img"]');
      if (!svg) return { id: f.id, svg: false };
      const r = svg.getBoundingClientRect();
      const s = getComputedStyle(svg);
      const label =
        svg.getAttribute('aria-label') ||
        svg.querySelector(':scope > title')?.textContent ||
        (svg.getAttribute('aria-labelledby') || '')
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ');
      return {
        id: f.id,
        svg: true,
        w: r.width,
        h: r.height,
        visible: s.display !== 'none' && s.visibility !== 'hidden' && Number(s.opacity) > 0,
        shapes: svg.querySelectorAll('path, rect, circle, line, polyline, polygon, text').length,
        label: (label || '').trim(),
      };
    }),
  );
  for (const c of charts) {
    const id = `figure.chart${c.id ? '#' + c.id : ''}`;
    if (!c.svg) fail(name, `${id} has no <svg role="img">`);
    else {
      if (!(c.w > 0 && c.h > 0)) fail(name, `${id}: svg has zero size (${c.w}x${c.h})`);
      if (!c.visible) fail(name, `${id}: svg is not visible`);
      if (c.shapes === 0) fail(name, `${id}: svg draws nothing`);
      if (!c.label) fail(name, `${id}: svg has no accessible name (title, aria-label or aria-labelledby)`);
    }
  }
  return charts.length;
}

/** The values a sortable table shows in column `i`, top to bottom (as sort.js reads them). */
const columnValues = (table, i) =>
  table.evaluate(
    (t, i) =>
      Array.from(t.tBodies[0]?.rows ?? []).map((r) => {
        const c = r.children[i];
        if (!c) return '';
        return c.hasAttribute('data-sort') ? c.getAttribute('data-sort') : c.textContent.trim();
      }),
    i,
  );

// Numbers compare as numbers (thousands separators ignored), anything else as text: the order a
// reader expects, checked pair by pair down the column.
function ordered(values, dir) {
  const num = (v) => /^-?[\d,.]+$/.test(v) && !Number.isNaN(parseFloat(v.replace(/,/g, '')));
  const cmp = (a, b) => (num(a) && num(b) ? parseFloat(a.replace(/,/g, '')) - parseFloat(b.replace(/,/g, '')) : a.localeCompare(b));
  for (let k = 1; k < values.length; k++) {
    const c = cmp(values[k - 1], values[k]);
    if (dir === 'ascending' ? c > 0 : c < 0) return false;
  }
  return true;
}

/** Every table.sortable has keyboard-operable headings; with `deep`, click the first and last
 * headings (and press Enter on them) and check the rows follow. Clicking is slow (~0.3 s a
 * click here), so `deep` runs on one page of each type. */
async function checkSorting(page, name, deep) {
  const tables = await page.$$('table.sortable');
  if (!deep) {
    const bad = await page.$$eval('table.sortable', (ts) =>
      ts.filter((t) => !t.tHead?.rows[0] || Array.from(t.tHead.rows[0].cells).some((th) => th.getAttribute('role') !== 'button' || th.tabIndex !== 0)).length,
    );
    if (bad) fail(name, `${bad} table.sortable without keyboard-operable sort headings`);
    return tables.length;
  }
  for (const [ti, table] of tables.entries()) {
    const heads = await table.$$('thead tr:first-child th');
    const rows = await table.evaluate((t) => t.tBodies[0]?.rows.length ?? 0);
    if (heads.length === 0) {
      fail(name, `table.sortable #${ti} has no thead headings`);
      continue;
    }
    if (rows < 2) continue;
    for (const col of new Set([0, heads.length - 1])) {
      const th = heads[col];
      if ((await th.getAttribute('role')) !== 'button' || (await th.getAttribute('tabindex')) !== '0')
        fail(name, `table #${ti} column ${col}: heading not enhanced into a keyboard-operable button`);
      for (const dir of ['ascending', 'descending']) {
        await th.click();
        const sort = await th.getAttribute('aria-sort');
        const vals = await columnValues(table, col);
        if (sort !== dir) fail(name, `table #${ti} column ${col}: aria-sort is ${sort} after a click, want ${dir}`);
        else if (!ordered(vals, dir)) fail(name, `table #${ti} column ${col}: rows not in ${dir} order: ${vals.slice(0, 6).join(' | ')} …`);
      }
      // Keyboard: Enter on the focused heading sorts too.
      await th.focus();
      await page.keyboard.press('Enter');
      if ((await th.getAttribute('aria-sort')) !== 'ascending') fail(name, `table #${ti} column ${col}: Enter does not sort`);
    }
  }
  return tables.length;
}

/** With JavaScript off: tables complete (every body row has every column), visible, not enhanced. */
async function checkNoScript(page, name) {
  const tables = await page.$$eval('table', (ts) =>
    ts.map((t) => {
      const r = t.getBoundingClientRect();
      const heads = t.tHead?.rows[0]?.cells.length ?? 0;
      const body = Array.from(t.tBodies).flatMap((b) => Array.from(b.rows));
      return {
        visible: r.width > 0 && r.height > 0 && getComputedStyle(t).visibility !== 'hidden',
        caption: t.caption?.textContent.trim() ?? '',
        heads,
        rows: body.length,
        short: body.filter((row) => row.cells.length < heads).length,
        emptyRows: body.filter((row) => row.textContent.trim() === '').length,
        enhanced: t.querySelector('th[role="button"]') !== null,
      };
    }),
  );
  if (tables.length === 0) fail(name, 'no table rendered with JavaScript off');
  for (const [i, t] of tables.entries()) {
    if (!t.visible) fail(name, `JS off: table #${i} not visible`);
    if (t.heads === 0) fail(name, `JS off: table #${i} has no header row`);
    if (t.rows === 0) fail(name, `JS off: table #${i} has no rows`);
    if (t.short || t.emptyRows) fail(name, `JS off: table #${i} has ${t.short} short and ${t.emptyRows} empty rows`);
    if (t.enhanced) fail(name, `JS off: table #${i} is enhanced without JavaScript?`);
  }
  return tables;
}

async function axeCheck(page, name, axeSource) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
  );
  let serious = 0;
  for (const v of res.violations) {
    const nodes = v.nodes.map((n) => n.target.join(' ')).slice(0, 5);
    const line = `axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes: ${nodes.join(', ')})`;
    if (v.impact === 'serious' || v.impact === 'critical') {
      serious++;
      fail(name, line);
    } else console.log(`  note ${name}: ${line}`);
  }
  return { violations: res.violations.length, serious, passes: res.passes?.length ?? 0 };
}

async function main() {
  const a = args();
  const site = resolve(a.site);
  const shots = resolve(a.shots);
  if (!existsSync(join(site, 'index.html'))) throw new Error(`${site}/index.html missing: build the site first`);
  await mkdir(shots, { recursive: true });
  const pages = (await walk(site))
    .filter((f) => f.endsWith('.html'))
    .map((f) => relative(site, f).split('\\').join('/'))
    .sort();
  const chartsDir = join(site, 'charts');
  const hasCharts = existsSync(chartsDir) && (await stat(chartsDir)).isDirectory();
  const chartFiles = hasCharts ? (await readdir(chartsDir)).filter((f) => /\.(svg|png)$/.test(f)).sort() : [];

  const server = await serve(site);
  const browser = await chromium.launch({ executablePath: a.chromium, args: LAUNCH_ARGS, headless: true });
  const summary = { pages: 0, charts: 0, sortable: 0, chartFiles: 0 };
  try {
    // 1. Every page, JavaScript on, CSP enforced.
    const statePage = pages.find((p) => p === 'states/CA.html') ?? pages.find((p) => p.startsWith('states/'));
    const zeroState = pages.find((p) => p === 'states/WY.html');
    const deepSort = new Set(['index.html', 'states.html', 'quality.html', 'changes.html', statePage, zeroState]);
    const ctx = await context(browser, server.url, { viewport: { width: 1280, height: 900 } });
    for (const p of pages) {
      const page = await ctx.newPage();
      watch(page, p);
      // The pages fetch nothing after load, so 'load' means every subresource has answered.
      const resp = await page.goto(server.url + p, { waitUntil: 'load' });
      if (!resp || resp.status() !== 200) fail(p, `page load status ${resp?.status()}`);
      summary.charts += await checkCharts(page, p);
      summary.sortable += await checkSorting(page, p, deepSort.has(p));
      if ((await page.title()).trim() === '') fail(p, 'empty <title>');
      if ((await page.locator('h1').count()) !== 1) fail(p, 'not exactly one <h1>');
      summary.pages++;
      await page.close();
    }
    if (hasCharts) {
      // Once charts exist, the index carries the map and the charts page every chart.
      for (const p of ['index.html', 'charts.html']) {
        const page = await ctx.newPage();
        await page.goto(server.url + p);
        if ((await page.locator('figure.chart svg[role="img"]').count()) === 0) fail(p, 'site/charts/ exists but the page shows no chart');
        await page.close();
      }
      // Every chart file renders as an image of non-zero size.
      const page = await ctx.newPage();
      watch(page, 'charts/');
      await page.goto(server.url + 'index.html');
      for (const f of chartFiles) {
        const size = await page.evaluate(async (src) => {
          const img = new Image();
          img.src = src;
          try {
            await img.decode();
          } catch {
            return null;
          }
          return [img.naturalWidth, img.naturalHeight];
        }, 'charts/' + f);
        if (!size || !(size[0] > 0 && size[1] > 0)) fail(`charts/${f}`, `does not render as an image (${size})`);
        summary.chartFiles++;
      }
      await page.close();
    }
    await ctx.close();

    // 2. JavaScript off: tables still readable on the pages that have them.
    const noJs = await context(browser, server.url, { javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    for (const p of ['index.html', 'states.html', statePage, 'quality.html'].filter((p) => pages.includes(p))) {
      const page = await noJs.newPage();
      watch(page, `${p} (JS off)`);
      await page.goto(server.url + p);
      const tables = await checkNoScript(page, `${p} (JS off)`);
      if (p === 'index.html' && !tables.some((t) => t.rows >= 52)) fail(p, 'JS off: the state table lacks the 50 states, DC and PR');
      if (p === 'index.html') await page.screenshot({ path: join(shots, 'index-desktop-nojs.png'), fullPage: true });
      await page.close();
    }
    await noJs.close();

    // 3. Screenshots of the index at desktop and phone widths; no sideways scrolling on a phone.
    for (const [label, opts] of [
      ['desktop', { viewport: { width: 1366, height: 900 } }],
      ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
    ]) {
      const c = await context(browser, server.url, opts);
      const page = await c.newPage();
      watch(page, `index.html (${label})`);
      await page.goto(server.url + 'index.html', { waitUntil: 'networkidle' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) fail(`index.html (${label})`, `page scrolls sideways by ${overflow}px`);
      const file = join(shots, `index-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`  screenshot ${relative(process.cwd(), file)}`);
      await c.close();
    }

    // 4. axe-core, WCAG 2.x A/AA, on one page of every type (the index, a state page with
    // suppliers and one without, the charts and data-quality pages among them). bypassCSP only
    // lets axe's own script in; step 1 ran every page with the CSP enforced.
    const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    const axeCtx = await context(browser, server.url, { bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const required = ['index.html', statePage, 'charts.html', 'quality.html'];
    const axePages = [...new Set([...required, zeroState, 'states.html', 'changes.html', 'data.html', 'methodology.html', 'caveats.html'])];
    for (const p of axePages.filter(Boolean)) {
      if (!pages.includes(p)) {
        if (required.includes(p)) fail(p, 'page missing: axe cannot check it');
        continue;
      }
      const page = await axeCtx.newPage();
      await page.goto(server.url + p, { waitUntil: 'networkidle' });
      const r = await axeCheck(page, p, axeSource);
      console.log(`  axe ${p}: ${r.violations} violations, ${r.serious} serious/critical`);
      await page.close();
    }
    await axeCtx.close();
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(
    `browser check: ${summary.pages} pages, ${summary.charts} chart figures, ${summary.sortable} sortable tables, ` +
      `${summary.chartFiles} chart files${hasCharts ? '' : ' (no site/charts/ yet)'}; screenshots in ${relative(process.cwd(), shots) || '.'}`,
  );
  if (findings.length) {
    console.error(`browser check FAILED, ${findings.length} findings:`);
    for (const f of findings) console.error(`  ${f}`);
    process.exit(1);
  }
  console.log('browser check: ok');
}

main().catch((e) => {
  console.error(`browser check crashed: ${e.stack ?? e}`);
  process.exit(2);
});
