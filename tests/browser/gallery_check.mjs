// Drives Debian's headless chromium through a real `imgshare gallery` (playwright-core, no
// browser downloaded). Started by tests/client/gallery/gallery_browser_test.cpp, which runs the
// cluster, posts the images, and tells this script what to expect through the environment:
//   GALLERY_URL     the URL the gallery printed (with its token)
//   EXPECT_NAMES    the grid's names, newest first, comma-separated
//   OPEN_NAME       an image to open; EXPECT_SERIAL, EXPECT_SHA256, EXPECT_WIDTH, EXPECT_HEIGHT
//   TAMPERED_NAME   an image whose chunk was altered on the storage node: must be refused
//   LIVE_NAME       an image the test posts once this script prints "waiting-for-live"
//   POST_FILE       an image to post from the page's file input, as POST_ESCROW_NAME (escrow)
//                   and as POST_E2E_NAME end-to-end to POST_E2E_TO; CROSS_FILE a small image a
//                   page of another origin tries to post as CROSS_NAME; UNKNOWN_READER a user
//                   the CA does not know; THIRD_URL the gallery of a user who is not a reader
//   DELETED_NAME    optional: an image in the grid (the live one) whose owner the test has
//                   delete it once this script prints "waiting-for-delete" (its viewer open)
//   REVOKED_NAME    optional: an end-to-end image shown in THIRD_URL's grid whose owner the
//                   test has revoke that user once this script prints "waiting-for-revoke"
//   SCREENSHOT_DIR  optional: where to write PNG screenshots at phone and desktop widths
// Prints one line per step; "live-seen" the moment the live image's card appears, "delete-seen"
// and "revoke-seen" the moment those cards are gone. Exit 0 when every check held, 1 with
// "FAIL: why" otherwise.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { launchChromium } from './launch_chromium.mjs';

const env = process.env;
const say = (line) => process.stdout.write(line + '\n');
function check(condition, what) {
  if (!condition) throw new Error(what);
  say('ok: ' + what);
}

async function gridNames(page) {
  return page.$$eval('#grid .card', (cards) => cards.map((card) => card.dataset.name));
}

async function openImage(page, name) {
  await page.click(`#grid .card[data-name="${name}"] button`);
  await page.waitForSelector('#viewer[open]');
}

async function closeViewer(page) {
  await page.keyboard.press('Escape');
  await page.waitForSelector('#viewer:not([open])', { state: 'attached' });
}

// Posts POST_FILE from the page's file input as `name` (end-to-end to `readers` if given):
// the result the page shows ("posted", or the refusal's code).
async function postFromPage(page, name, readers) {
  await page.setInputFiles('#file', env.POST_FILE);
  await page.fill('#post-name', name);
  await page.check(`input[name="mode"][value="${readers ? 'e2e' : 'escrow'}"]`);
  await page.fill('#recipients', readers || '');
  await page.click('#post-button');
  await page.waitForSelector('#post-status[data-result]', { timeout: 30000 });
  return page.getAttribute('#post-status', 'data-result');
}

async function checkPosting(page, context, browser) {
  let postsSent = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/posts') postsSent++;
  });
  // An unknown recipient: an inline error with its code, and nothing is sent.
  await page.setInputFiles('#file', env.POST_FILE);
  await page.fill('#post-name', env.POST_E2E_NAME);
  await page.check('input[name="mode"][value="e2e"]');
  await page.fill('#recipients', env.UNKNOWN_READER);
  await page.click('#post-button');
  const inline = await page.waitForSelector('#recipients-error:not([hidden])');
  const unknownCode = await inline.getAttribute('data-code');
  check(unknownCode === 'NOT_FOUND', `an unknown recipient is an inline NOT_FOUND (${unknownCode})`);
  check(postsSent === 0, 'and nothing was sent');

  // The progress bar shows while a post runs.
  await page.evaluate(() => {
    window.phasesSeen = new Set();
    new MutationObserver(() => {
      window.phasesSeen.add(document.getElementById('post-progress').dataset.phase);
    }).observe(document.getElementById('post-progress'), { attributes: true });
  });
  const escrow = await postFromPage(page, env.POST_ESCROW_NAME, null);
  check(escrow === 'posted', `the page posts ${env.POST_ESCROW_NAME} in escrow (${escrow})`);
  const phases = await page.evaluate(() => [...window.phasesSeen]);
  check(phases.includes('receiving'), `the progress bar showed the post (${phases.join(',')})`);
  const e2e = await postFromPage(page, env.POST_E2E_NAME, env.POST_E2E_TO);
  check(e2e === 'posted', `the page posts ${env.POST_E2E_NAME} end-to-end to ${env.POST_E2E_TO} (${e2e})`);
  const readers = await page.textContent('#post-status');
  check(readers.includes(env.POST_E2E_TO), `the page says who reads it (${readers})`);
  for (const name of [env.POST_ESCROW_NAME, env.POST_E2E_NAME]) {
    await page.waitForSelector(`#grid .card[data-name="${name}"]`);
  }
  say('ok: both posts appear in the grid');

  // The grid shows the thumbnail sealed with the post (512 pixels wide, taller than wide:
  // 320 on its longer side, a JPEG), not the image; the image is what the viewer opens.
  const card = `#grid .card[data-name="${env.POST_ESCROW_NAME}"] img`;
  await page.waitForFunction((selector) => {
    const img = document.querySelector(selector);
    return img && img.complete && img.naturalWidth > 0;
  }, card);
  const thumbSize = await page.$eval(card, (el) => [el.naturalWidth, el.naturalHeight]);
  check(Math.max(...thumbSize) === 320,
        `the grid shows ${env.POST_ESCROW_NAME}'s thumbnail, 320 on its longer side (${thumbSize.join('x')})`);
  const thumbType = await page.evaluate(async (name) => {
    const response = await fetch('/api/images/' + encodeURIComponent(name) + '/thumbnail');
    return response.headers.get('content-type');
  }, env.POST_ESCROW_NAME);
  check(thumbType === 'image/jpeg', `the thumbnail is served as image/jpeg (${thumbType})`);

  // A page of another origin on the same host (same site: the SameSite=Strict cookie goes
  // along) cannot post: the Origin check refuses it.
  const base = new URL(env.GALLERY_URL);
  const otherSite = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>another page on this host</title>');
  });
  await new Promise((listening) => otherSite.listen(0, '127.0.0.1', listening));
  const other = await context.newPage();
  await other.goto(`http://127.0.0.1:${otherSite.address().port}/`);
  const sent = await other.evaluate(async ([origin, name, bytes]) => {
    try {
      await fetch(origin + '/api/posts?name=' + name, {
        method: 'POST', mode: 'no-cors', credentials: 'include', body: new Uint8Array(bytes) });
      return 'sent';
    } catch (error) {
      return 'blocked: ' + error.message;
    }
  }, [base.origin, env.CROSS_NAME, [...readFileSync(env.CROSS_FILE)]]);
  say(`cross-origin post attempted (${sent})`);
  await other.close();
  otherSite.close();

  // A third user's gallery shows the escrow post, never the end-to-end one.
  const third = await (await browser.newContext()).newPage();
  await third.goto(env.THIRD_URL);
  await third.waitForSelector('body[data-ready="true"]');
  await third.waitForSelector(`#grid .card[data-name="${env.POST_ESCROW_NAME}"]`);
  const thirdNames = await gridNames(third);
  check(!thirdNames.includes(env.POST_E2E_NAME),
        `a third user's gallery does not show ${env.POST_E2E_NAME} (${thirdNames.join(',')})`);
  await third.close();
  say('posted-from-page');
}

// The owner deletes DELETED_NAME while its viewer is open: the card goes without a reload,
// the viewer drops the image and says why, and a reload (the grid from the server) does not
// bring it back.
async function checkDeletion(page) {
  await openImage(page, env.DELETED_NAME);
  await page.waitForSelector('dd[data-key="sha256"]');
  say('waiting-for-delete');
  await page.waitForSelector(`#grid .card[data-name="${env.DELETED_NAME}"]`,
                             { state: 'detached', timeout: 10000 });
  say('delete-seen');
  const verdict = await page.waitForSelector('#verdict.removed');
  const text = await verdict.textContent();
  check(text.includes(env.DELETED_NAME + ' was deleted'), `the open viewer says so (${text})`);
  check(await page.$('#viewer-image img') === null && await page.$('a.save') === null,
        'and no longer shows the image nor offers to save it');
  await closeViewer(page);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  const names = await gridNames(page);
  check(!names.includes(env.DELETED_NAME), `a reload does not bring it back (${names.join(',')})`);
}

// The owner of REVOKED_NAME revokes the third user: that user's open gallery drops the card.
async function checkRevocation(browser) {
  const third = await (await browser.newContext()).newPage();
  await third.goto(env.THIRD_URL);
  await third.waitForSelector('body[data-ready="true"]');
  await third.waitForSelector(`#grid .card[data-name="${env.REVOKED_NAME}"]`);
  say('waiting-for-revoke');
  await third.waitForSelector(`#grid .card[data-name="${env.REVOKED_NAME}"]`,
                              { state: 'detached', timeout: 10000 });
  say('revoke-seen');
  await third.close();
}

async function screenshots(page, dir) {
  for (const [label, width, height] of [['phone', 390, 844], ['desktop', 1280, 800]]) {
    await page.setViewportSize({ width, height });
    await page.waitForFunction(() => [...document.querySelectorAll('#grid img')]
      .every((img) => img.complete));
    await page.screenshot({ path: `${dir}/gallery-grid-${label}.png` });
    await openImage(page, env.OPEN_NAME);
    await page.waitForSelector('dd[data-key="sha256"]');
    await page.screenshot({ path: `${dir}/gallery-verified-${label}.png` });
    await closeViewer(page);
    await openImage(page, env.TAMPERED_NAME);
    await page.waitForSelector('#viewer-image .refusal');
    await page.screenshot({ path: `${dir}/gallery-refusal-${label}.png` });
    await closeViewer(page);
  }
}

async function main() {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => say('page error: ' + error.message));
    await page.goto(env.GALLERY_URL);
    await page.waitForSelector('body[data-ready="true"]');
    check(!page.url().includes('token'), 'the token has left the address bar');
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'imgshare_gallery');
    check(session && session.httpOnly && session.sameSite === 'Strict',
          'the session cookie is HttpOnly and SameSite=Strict');
    check(await page.evaluate(() => document.cookie) === '', 'the page script cannot read it');

    const names = await gridNames(page);
    check(names.join(',') === env.EXPECT_NAMES,
          `the grid shows ${env.EXPECT_NAMES} (shows ${names.join(',')})`);
    const alts = await page.$$eval('#grid img', (imgs) => imgs.map((img) => img.alt));
    check(alts.every((alt) => alt.length > 0), 'every image in the grid has alt text');

    await openImage(page, env.OPEN_NAME);
    const img = await page.waitForSelector('#viewer-image img');
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, img);
    const size = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
    check(size[0] === Number(env.EXPECT_WIDTH) && size[1] === Number(env.EXPECT_HEIGHT),
          `the opened image is ${env.EXPECT_WIDTH}x${env.EXPECT_HEIGHT} (is ${size.join('x')})`);
    const serial = await (await page.waitForSelector('dd[data-key="serial"]')).textContent();
    check(serial === env.EXPECT_SERIAL, `the panel shows serial ${env.EXPECT_SERIAL} (${serial})`);
    const shown = await page.textContent('dd[data-key="sha256"]');
    check(shown === env.EXPECT_SHA256, `the panel shows the original's SHA-256 (${shown})`);
    const fetched = await page.evaluate(async (name) => {
      const bytes = await (await fetch('/api/images/' + encodeURIComponent(name))).arrayBuffer();
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    }, env.OPEN_NAME);
    check(fetched === env.EXPECT_SHA256, 'the bytes the page fetches hash to the original');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.save')]);
    check(download.suggestedFilename() === env.OPEN_NAME + '.png',
          `"Save to disk" offers ${env.OPEN_NAME}.png (${download.suggestedFilename()})`);
    await closeViewer(page);

    await openImage(page, env.TAMPERED_NAME);
    const refusal = await page.waitForSelector('#viewer-image .refusal');
    const code = await refusal.getAttribute('data-code');
    check(code === 'INTEGRITY', `the tampered image is refused as INTEGRITY (${code})`);
    check(await page.$('#viewer-image img') === null, 'and no image element is shown for it');
    await closeViewer(page);

    // Another origin (a page of its own) cannot read the gallery: no CORS, and the cookie is
    // SameSite=Strict.
    const other = await context.newPage();
    await other.goto('about:blank');
    const base = new URL(env.GALLERY_URL).origin;
    const crossRead = await other.evaluate(async (origin) => {
      try {
        const response = await fetch(origin + '/api/images', { credentials: 'include' });
        return 'read ' + response.status;
      } catch (error) {
        return 'blocked';
      }
    }, base);
    check(crossRead === 'blocked', `a page of another origin cannot read the API (${crossRead})`);
    await other.close();

    // Keyboard: Tab reaches the first card, the arrow key the next, Enter opens it.
    await page.focus('#grid .card button');
    await page.keyboard.press('ArrowRight');
    const focused = await page.evaluate(() => document.activeElement.closest('.card').dataset.name);
    check(focused === names[1], `ArrowRight moves to the next card (${focused})`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#viewer[open]');
    await closeViewer(page);

    if (env.POST_FILE) await checkPosting(page, context, browser);

    say('waiting-for-live');
    await page.waitForSelector(`#grid .card[data-name="${env.LIVE_NAME}"]`, { timeout: 10000 });
    say('live-seen');
    const first = (await gridNames(page))[0];
    check(first === env.LIVE_NAME, `the live image is first in the grid (${first})`);

    if (env.DELETED_NAME) await checkDeletion(page);
    if (env.REVOKED_NAME) await checkRevocation(browser);

    if (env.SCREENSHOT_DIR) await screenshots(page, env.SCREENSHOT_DIR);
    say('all checks passed');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  say('FAIL: ' + error.message);
  process.exit(1);
});
