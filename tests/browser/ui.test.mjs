// Vigil's pages in a real browser (Debian's Chromium, driven by playwright-core), on
// the demo's data: `vigil demo` is started on a free loopback port and signed in to as
// the people in the brief. Every page visited is checked with axe-core (no serious or
// critical WCAG 2.2 AA violation) and photographed at laptop and phone widths into
// docs/screenshots/.
//
// The tests find things the way a person would, by role, rule and link, and never by
// the names or dates of the scenario: the child is the one with the most open alerts,
// and the replay date is worked out from the alert's own evidence.
//
// Run: `npm test` here, after `cargo build -p vigil` (VIGIL_BIN overrides the binary,
// CHROMIUM the browser).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const binary = process.env.VIGIL_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'debug', 'vigil');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshots = path.join(root, 'docs', 'screenshots');
const axeSource = require.resolve('axe-core/axe.min.js');
const PASSWORD = 'fictional-demo-only';

const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;
let server;
let serverLog = '';
let browser;
let workdir;
/** The child page found by the MASH analyst, for the later tests. */
let childUrl;
const checked = new Set();

async function waitForHealth(deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) {
      throw new Error(`vigil demo stopped (exit ${server.exitCode}):\n${serverLog}`);
    }
    try {
      const response = await fetch(`${base}/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`vigil demo did not become ready within ${deadlineMs} ms:\n${serverLog}`);
}

before(async () => {
  assert.ok(fs.existsSync(binary), `no Vigil binary at ${binary}: run cargo build -p vigil first`);
  assert.ok(fs.existsSync(executablePath), `no Chromium at ${executablePath}: apt-get install -y chromium`);
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-browser-'));
  server = spawn(binary, ['demo', '--listen', `127.0.0.1:${port}`], {
    cwd: workdir,
    env: { ...process.env, TMPDIR: workdir, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (chunk) => { serverLog += chunk; });
  server.stderr.on('data', (chunk) => { serverLog += chunk; });
  await waitForHealth(180_000);
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  fs.mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

/** A fresh browser context (its own cookies) at laptop size. */
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return context.newPage();
}

async function signIn(page, user) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
  assert.ok(!page.url().includes('/sign-in'), `${user} could not sign in: ${await page.textContent('main')}`);
}

/**
 * The accessibility check and the screenshots of the page now shown, once per name:
 * no serious or critical axe violation against WCAG 2.0, 2.1 and 2.2 A and AA.
 */
async function check(page, name) {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`),
    [],
    `accessibility violations on ${name} (${page.url()})`,
  );
  if (checked.has(name)) return;
  checked.add(name);
  await page.screenshot({ path: path.join(screenshots, `${name}-laptop.png`) });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(screenshots, `${name}-phone.png`) });
  await page.setViewportSize(viewport);
}

test('the sign-in page says what is wrong and locks nobody out on the first mistake', async () => {
  const page = await newPage();
  const response = await page.goto(`${base}/front-door`);
  assert.ok(page.url().includes('/sign-in?next=/front-door'), 'a page sends a signed-out browser to sign in');
  assert.equal(response.status(), 200);
  await check(page, 'sign-in');
  await page.getByLabel('User name').fill('demo.mash');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /user name or the password is not right/);
  await check(page, 'sign-in-error');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/front-door`);
  await page.context().close();
});

test('a MASH analyst finds the child, sees the unknown-adult alert with its evidence, acknowledges it, replays the record, sees why an adult was linked and decides a review pair', async () => {
  const page = await newPage();
  await signIn(page, 'demo.mash');
  assert.equal(new URL(page.url()).pathname, '/front-door', 'a MASH analyst starts at the front door');
  assert.ok(await page.locator('article.alert').count() > 0, 'the front door lists alerts');
  await check(page, 'front-door');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }).click();
  await check(page, 'children');
  // The children are listed with the most open alerts first.
  await page.locator('tbody tr').first().getByRole('link').click();
  childUrl = page.url();
  assert.match(new URL(childUrl).pathname, /^\/children\//);

  const alert = page.locator('article.alert', { hasText: 'unknown-adult-at-home' });
  assert.equal(await alert.count(), 1, 'the unknown-adult alert is on the child page');
  assert.match(await alert.textContent(), /unknown to children's social care/);
  const evidence = alert.locator('ul.evidence li');
  assert.ok(await evidence.count() >= 2, 'the alert shows the records it rests on');
  const dates = (await evidence.locator('time').allTextContents()).map((d) => d.slice(0, 10)).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  assert.ok(await page.locator('#household .member').count() > 0, 'the household is shown');
  assert.ok(await page.locator('.body-map .mark').count() > 0, 'the body map marks the recorded injuries');
  assert.ok(await page.locator('ol.lanes li.entry').count() > 0, 'the chronology is shown');
  await check(page, 'child');

  // Acknowledge, with a reason; the alert says who and why.
  await alert.getByLabel(/Reason/).fill('Strategy discussion booked; police checks on the adults requested.');
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await page.waitForLoadState('load');
  const acknowledged = page.locator('article.alert', { hasText: 'unknown-adult-at-home' });
  assert.match(await acknowledged.textContent(), /Acknowledged by Demo MASH analyst/);
  assert.match(await acknowledged.textContent(), /police checks on the adults requested/);

  // Without a reason nothing is stored, and the page says why.
  const another = page.locator('article.alert form.respond').first();
  await another.locator('textarea').evaluate((box) => box.removeAttribute('required'));
  await another.getByRole('button', { name: 'Close' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('h1').textContent(), /A reason is needed/);
  await check(page, 'error-reason');

  // Replay: the day before the alert's earliest evidence, the alert had not been raised;
  // on the day of its latest, it had.
  assert.ok(dates.length > 0, 'evidence carries dates');
  const dayBefore = new Date(`${dates[0]}T12:00:00Z`);
  dayBefore.setUTCDate(dayBefore.getUTCDate() - 1);
  await page.goto(childUrl);
  await page.getByLabel('Show the record as known at the end of').fill(dayBefore.toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Show' }).first().click();
  await page.waitForLoadState('load');
  assert.match(await page.getByRole('status').textContent(), /as it was known at the end of/);
  assert.equal(await page.locator('article.alert', { hasText: 'unknown-adult-at-home' }).count(), 0);
  await check(page, 'child-replay');
  await page.goto(`${childUrl}?as_at=${dates[dates.length - 1]}`);
  assert.equal(await page.locator('article.alert', { hasText: 'unknown-adult-at-home' }).count(), 1);

  await page.getByRole('link', { name: 'Missed-opportunity report' }).click();
  assert.match(await page.locator('h1').textContent(), /Practice review/);
  assert.ok(await page.locator('li.card').count() > 0);
  await check(page, 'review');

  // The chronology for a conference, as known on the same day.
  await page.goto(`${childUrl}?as_at=${dates[dates.length - 1]}`);
  await page.getByRole('link', { name: 'Print the chronology' }).click();
  assert.match(await page.locator('h1').textContent(), /Multi-agency chronology/);
  assert.ok(await page.locator('table.chronology-print tbody tr').count() > 0);
  await check(page, 'print');

  // An adult at the home: the records each agency holds, and why they were linked.
  await page.goto(childUrl);
  const members = await page.locator('#household .member h3 a').evaluateAll((links) => links.map((a) => a.href));
  let explained = false;
  for (const member of members) {
    await page.goto(member);
    if (await page.locator('table.waterfall').count() > 0) {
      explained = true;
      break;
    }
  }
  assert.ok(explained, 'some member of the household has records linked with an explanation');
  assert.match(await page.locator('table.waterfall').first().textContent(), /date of birth|family name|given name/);
  await check(page, 'person');

  // The review queue: keep one pair apart, with a reason; it leaves the queue.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue' }).click();
  const before = await page.locator('li.pair').count();
  assert.ok(before > 0, 'the demo leaves pairs for a person to decide');
  const intro = await page.locator('main > p').first().textContent();
  const waiting = Number(intro.match(/^(\d+) pairs/)[1]);
  await check(page, 'review-queue');
  const pair = page.locator('li.pair').first();
  await pair.getByLabel('Reason (required)').fill('Different dates of birth on records checked with the GP.');
  await pair.getByRole('button', { name: 'Keep apart' }).click();
  await page.waitForURL(`${base}/review-queue`);
  const after = Number((await page.locator('main > p').first().textContent()).match(/^(\d+) pairs/)[1]);
  assert.ok(after < waiting, `the decided pair left the queue (${waiting} -> ${after})`);
  await page.context().close();
});

test('the front door decides an alert with a rationale and assigns it, in place with htmx and as a plain form without script; the manager finds it on my work', async () => {
  const page = await newPage();
  await signIn(page, 'demo.mash');
  // A marker that only survives if the page is never reloaded.
  await page.evaluate(() => { window.vigilNoReload = true; });
  const item = page.locator('main div.item').first();
  const alertTitle = (await item.locator('article.alert h3').textContent()).trim();
  await item.locator('summary', { hasText: 'Decide and assign' }).click();
  await item.getByLabel('Outcome', { exact: true }).selectOption({ label: 'Strategy discussion / s47 enquiry' });
  await item.getByLabel(/Rationale/).fill('Several agencies hold injuries with no explanation; strategy discussion today.');
  await item.getByLabel('Role', { exact: true }).selectOption({ label: 'team manager' });
  await item.getByLabel(/Person/).fill('demo.manager');
  await check(page, 'front-door-decide');
  await item.getByRole('button', { name: 'Record the decision' }).click();
  const decided = page.locator('main div.item', { hasText: alertTitle }).first().locator('.decision');
  await decided.waitFor();
  assert.match(await decided.textContent(), /Decision: Strategy discussion \/ s47 enquiry/);
  assert.match(await decided.textContent(), /Assigned to Demo team manager \(fictional\) \(team manager\)/);
  assert.equal(await page.evaluate(() => window.vigilNoReload), true, 'htmx swapped the item in place');
  await check(page, 'front-door-decided');

  // Without a rationale nothing is stored; the error replaces the main content.
  const next = page.locator('main div.item').nth(1);
  await next.locator('summary', { hasText: 'Decide and assign' }).click();
  await next.getByLabel(/Rationale/).evaluate((box) => box.removeAttribute('required'));
  await next.getByRole('button', { name: 'Record the decision' }).click();
  await page.locator('main h1', { hasText: 'The request has invalid fields' }).waitFor();
  assert.match(await page.locator('main').textContent(), /rationale/);
  await check(page, 'error-decision');
  await page.context().close();

  // Without script the same form posts and the front door comes back at the item.
  const plainContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
  const plain = await plainContext.newPage();
  await signIn(plain, 'demo.mash');
  const third = plain.locator('main div.item').nth(2);
  const thirdTitle = (await third.locator('article.alert h3').textContent()).trim();
  await third.locator('summary', { hasText: 'Decide and assign' }).click();
  await third.getByLabel('Outcome', { exact: true }).selectOption({ label: 'Early help' });
  await third.getByLabel(/Rationale/).fill('Family agrees to early help; health visitor to lead.');
  await third.getByLabel('Role', { exact: true }).selectOption({ label: 'team manager' });
  await third.getByRole('button', { name: 'Record the decision' }).click();
  await plain.waitForURL(/\/front-door#item-alert-/);
  const plainDecided = plain.locator('main div.item', { hasText: thirdTitle }).first().locator('.decision');
  assert.match(await plainDecided.textContent(), /Decision: Early help/);
  await plainContext.close();

  // The team manager finds both on "my work", nearest deadline first.
  const manager = await newPage();
  await signIn(manager, 'demo.manager');
  assert.equal(new URL(manager.url()).pathname, '/my-work');
  const assigned = manager.locator('section[aria-labelledby="assigned"] li.card');
  assert.ok(await assigned.count() >= 2, 'what was assigned to the manager, by name or by role');
  assert.match(await assigned.first().textContent(), /Strategy discussion \/ s47 enquiry/);
  await check(manager, 'my-work-assigned');
  await manager.context().close();
});

test('the chronology filters answer in place, and the URL says what is shown', async () => {
  assert.ok(childUrl, 'the MASH test found the child');
  const page = await newPage();
  await signIn(page, 'demo.mash');
  await page.goto(childUrl);
  await page.evaluate(() => { window.vigilNoReload = true; });
  const all = await page.locator('ol.lanes li.entry').count();
  await page.getByLabel('Only entries with an injury').check();
  await page.waitForURL(/injuries=on/);
  await page.waitForFunction(() => document.querySelectorAll('ol.lanes li.entry').length > 0);
  const injuries = await page.locator('ol.lanes li.entry').count();
  assert.ok(injuries < all, `fewer entries with the filter (${all} -> ${injuries})`);
  assert.equal(await page.locator('ol.lanes li.entry').filter({ hasNot: page.locator('.injury') }).count(), 0);
  assert.equal(await page.evaluate(() => window.vigilNoReload), true, 'htmx swapped the chronology in place');
  await page.context().close();
});

test('a practitioner with no relationship is refused, breaks the glass with a reason, and the privacy officer reviews it', async () => {
  assert.ok(childUrl, 'the MASH test found the child');
  const page = await newPage();
  await signIn(page, 'demo.practitioner');
  assert.equal(new URL(page.url()).pathname, '/my-work');
  await check(page, 'my-work');
  const response = await page.goto(childUrl);
  assert.equal(response.status(), 403);
  assert.match(await page.locator('main').textContent(), /legitimate relationship/);
  await check(page, 'refused');
  const replay = await page.goto(`${childUrl}?as_at=2000-01-01`);
  assert.equal(replay.status(), 403, 'nor may a practitioner replay a record');

  // Break-glass: a reason opens the record for a day, and the privacy officer sees it.
  await page.goto(childUrl);
  await page.getByRole('link', { name: /break-glass/ }).click();
  await check(page, 'break-glass');
  await page.getByLabel(/Why you need this record/).fill('Child brought to clinic by a neighbour; mother not reachable.');
  await page.getByRole('button', { name: 'Open the record' }).click();
  await page.waitForURL(childUrl);
  assert.ok(await page.locator('#alerts').count() === 1, 'the record opens after break-glass');
  await page.context().close();

  const privacy = await newPage();
  await signIn(privacy, 'demo.privacy');
  assert.equal(new URL(privacy.url()).pathname, '/privacy');
  const opening = privacy.locator('li.opening', { hasText: 'mother not reachable' });
  assert.equal(await opening.count(), 1, 'the opening is in the privacy officer\'s queue');
  assert.match(await opening.textContent(), /Waiting for review/);
  await check(privacy, 'privacy');
  await opening.getByLabel('Outcome', { exact: true }).selectOption('justified');
  await opening.getByLabel('Note (required)').fill('Confirmed with the clinic lead: emergency attendance.');
  await opening.getByRole('button', { name: 'Record the outcome' }).click();
  await privacy.waitForURL(`${base}/privacy`);
  const reviewed = privacy.locator('li.opening', { hasText: 'mother not reachable' });
  assert.match(await reviewed.textContent(), /Reviewed/);
  assert.match(await reviewed.textContent(), /justified by Demo privacy officer/);

  // Who looked: the refusal, the break-glass and the reads after it are on the trail.
  await reviewed.getByRole('link', { name: /Who has looked at/ }).click();
  assert.match(await privacy.locator('h1').textContent(), /Who has looked at/);
  const practitionerRows = privacy.locator('table.audit tbody tr', { hasText: 'practitioner' });
  assert.ok(await practitionerRows.filter({ hasText: 'Refused' }).count() > 0, 'the refusal is on the trail');
  assert.ok(await practitionerRows.filter({ hasText: 'POST /children/{id}/break-glass' }).count() > 0, 'the break-glass is on the trail');
  assert.match(await privacy.locator('main').textContent(), /What left Vigil about/);
  await check(privacy, 'audit-trail');

  // Every disclosure, across children, filtered by agency and date.
  await privacy.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Disclosures' }).click();
  assert.match(await privacy.locator('h1').textContent(), /Disclosures/);
  await check(privacy, 'disclosures');
  await privacy.getByLabel('From (UK date)').fill('2000-01-01');
  await privacy.getByRole('button', { name: 'Filter' }).click();
  await privacy.waitForURL(/from=2000-01-01/);
  assert.match(await privacy.locator('#disclosure-results').textContent(), /from 2000-01-01/);
  await privacy.context().close();
});

test('the rule catalogue, the administration page and the error pages', async () => {
  const page = await newPage();
  await signIn(page, 'demo.admin');
  assert.equal(new URL(page.url()).pathname, '/admin');
  assert.ok(await page.locator('tbody tr').count() >= 2, 'the demo made two API keys');
  await check(page, 'admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click();
  assert.ok(await page.locator('li.card').count() >= 20, 'the catalogue lists every rule');
  await check(page, 'rules');
  const missing = await page.goto(`${base}/no-such-page`);
  assert.equal(missing.status(), 404);
  assert.match(await page.locator('h1').textContent(), /Page not found/);
  await check(page, 'not-found');
  const refused = await page.goto(childUrl);
  assert.equal(refused.status(), 403, 'an administrator sees no child data');
  // Signing out ends the session: the next page asks to sign in again.
  await page.goto(`${base}/rules`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/sign-in`);
  await page.goto(`${base}/rules`);
  assert.ok(page.url().includes('/sign-in'));
  await page.context().close();
});

test('an administrator adds a user, is told what is wrong with a bad one, and disables an account with a reason, which signs it out at once', async () => {
  const page = await newPage();
  await signIn(page, 'demo.admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  assert.equal(new URL(page.url()).pathname, '/admin/users');
  const before = await page.locator('li.card.user').count();
  assert.ok(before >= 6, 'the demo made an account per role');
  await check(page, 'users');

  // A user name with a space is refused, with the reason, and nothing is stored.
  const add = page.locator('form[action="/admin/users"]');
  await add.getByLabel('User name').fill('new visitor');
  await add.getByLabel('Role').selectOption('practitioner');
  await add.getByLabel('Agency code').fill('QCS');
  await add.getByLabel('First password').fill('a long fictional passphrase');
  await add.getByRole('button', { name: 'Add the user' }).click();
  await page.waitForLoadState('load');
  assert.match(await page.locator('#users-error').textContent(), /user name may hold only/);
  assert.equal(await page.locator('li.card.user').count(), before, 'nothing was stored');
  await check(page, 'users-error');

  // Then a good one: listed, active, and able to sign in.
  const form = page.locator('form[action="/admin/users"]');
  await form.getByLabel('User name').fill('new.visitor');
  await form.getByLabel('Name as shown').fill('New Visitor (health visitor, fictional)');
  await form.getByLabel('Role').selectOption('practitioner');
  await form.getByLabel('Agency code').fill('QCS');
  await form.getByLabel('Team', { exact: true }).fill('Early help east');
  await form.getByLabel('First password').fill('a long fictional passphrase');
  await form.getByRole('button', { name: 'Add the user' }).click();
  await page.waitForLoadState('load');
  const card = page.locator('li.card.user', { hasText: 'new.visitor' });
  assert.match(await card.textContent(), /Active/);
  assert.match(await card.textContent(), /Early help east/);

  const visitor = await newPage();
  await visitor.goto(`${base}/sign-in`);
  await visitor.getByLabel('User name').fill('new.visitor');
  await visitor.getByLabel('Password').fill('a long fictional passphrase');
  await visitor.getByRole('button', { name: 'Sign in' }).click();
  await visitor.waitForLoadState('load');
  assert.equal(new URL(visitor.url()).pathname, '/my-work');

  // Disabled with a reason: the badge changes, and the visitor's open session ends.
  await card.getByLabel('Why disable new.visitor?').fill('Left the service (fictional test)');
  await card.getByRole('button', { name: 'Disable new.visitor' }).click();
  await page.waitForLoadState('load');
  const disabled = page.locator('li.card.user', { hasText: 'new.visitor' });
  assert.match(await disabled.textContent(), /Disabled/);
  assert.match(await disabled.textContent(), /Left the service \(fictional test\)/);
  await check(page, 'users-disabled');
  await visitor.goto(`${base}/my-work`);
  assert.ok(visitor.url().includes('/sign-in'), 'the disabled account is signed out');
  await visitor.getByLabel('User name').fill('new.visitor');
  await visitor.getByLabel('Password').fill('a long fictional passphrase');
  await visitor.getByRole('button', { name: 'Sign in' }).click();
  await visitor.waitForLoadState('load');
  assert.match(await visitor.locator('main').textContent(), /This account is disabled/);
  await visitor.context().close();

  // The administrator's own account has no disable button.
  const own = page.locator('li.card.user').filter({ has: page.locator('h3 code', { hasText: /^demo\.admin$/ }) });
  assert.equal(await own.count(), 1);
  assert.equal(await own.getByRole('button').count(), 0);
  await page.context().close();
});

test('a bad date is an error page that says how to write it, never a trace', async () => {
  const page = await newPage();
  await signIn(page, 'demo.reviewer');
  assert.equal(new URL(page.url()).pathname, '/children');
  const response = await page.goto(`${childUrl}?as_at=yesterday`);
  assert.equal(response.status(), 400);
  assert.match(await page.locator('main').textContent(), /write it as YYYY-MM-DD/);
  await check(page, 'error-date');
  await page.context().close();
});
