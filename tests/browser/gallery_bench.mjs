// The gallery's "fast with many images" measurement (issue #20), run by deploy/gallery-bench.sh
// against a real `imgshare gallery` of a user with many images: Debian's headless chromium
// (playwright-core) opens GALLERY_URL in a window of WIDTHxHEIGHT and times, from the moment
// the page is asked for, until the first FIRST images of the grid are all shown (decoded, with
// their natural size); counts the image requests made before any scrolling (lazy loading:
// only those near the screen); then scrolls to the end and times until every image is shown.
// Prints one JSON line. Not a test: it asserts nothing, it measures.
import { launchChromium } from './launch_chromium.mjs';

const env = process.env;
const first = Number(env.FIRST || 40);
const width = Number(env.WIDTH || 1920);
const height = Number(env.HEIGHT || 1400);

// Whether the first `count` cards all show their image (run in the page).
function allShown(count) {
  const cards = [...document.querySelectorAll('#grid .card')].slice(0, count);
  return cards.length === count && cards.every((card) => {
    const img = card.querySelector('img');
    return img && img.complete && img.naturalWidth > 0;
  });
}

// Polls (page.evaluate, every 20 ms: the page's CSP forbids the eval of waitForFunction's
// timed polling) until the first `count` cards show their image; false after `ms`.
async function waitAllShown(page, count, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await page.evaluate(allShown, count)) return true;
    await new Promise((wake) => setTimeout(wake, 20));
  }
  return false;
}

async function main() {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    let imageRequests = 0;
    page.on('request', (request) => {
      // The grid asks for thumbnails (/api/images/NAME/thumbnail), the viewer for images.
      if (/^\/api\/images\/[^/]+(\/thumbnail)?$/.test(new URL(request.url()).pathname)) imageRequests++;
    });
    const started = Date.now();
    await page.goto(env.GALLERY_URL);
    await page.waitForSelector('body[data-ready="true"]');
    const cards = await page.$$eval('#grid .card', (all) => all.length);
    const want = Math.min(first, cards);
    if (!await waitAllShown(page, want, 120000)) throw new Error('the first screen never showed');
    const firstScreenMs = Date.now() - started;
    const onScreen = await page.$$eval('#grid .card', (all) => all.filter((card) => {
      const box = card.getBoundingClientRect();
      return box.top < window.innerHeight && box.bottom > 0;
    }).length);
    const requestsBeforeScroll = imageRequests;
    const scrollStarted = Date.now();
    // Scroll as a reader would, half a screen at a time, until the end and every image shows
    // (or 120 s pass: then the figure says how many showed).
    let allOk = false;
    const deadline = Date.now() + 120000;
    while (Date.now() < deadline) {
      // Two animation frames after each step: the page's IntersectionObserver sees every
      // position (a jump past cards between frames would never show them, as with a fling).
      const atEnd = await page.evaluate(async () => {
        window.scrollBy(0, window.innerHeight / 2);
        await new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)));
        return window.scrollY + window.innerHeight >= document.body.scrollHeight - 1;
      });
      await new Promise((wake) => setTimeout(wake, 50));
      if (atEnd && await page.evaluate(allShown, cards)) { allOk = true; break; }
    }
    const shownAtEnd = await page.$$eval('#grid .card img', (imgs) =>
      imgs.filter((img) => img.complete && img.naturalWidth > 0).length);
    const refused = await page.$$eval('#grid .card .refusal', (all) =>
      all.map((node) => node.dataset.code));
    process.stdout.write(JSON.stringify({
      cards, first: want, on_screen: onScreen, first_screen_ms: firstScreenMs,
      image_requests_before_scroll: requestsBeforeScroll,
      all_shown_after_scroll_ms: allOk ? Date.now() - scrollStarted : null,
      shown_after_scroll: shownAtEnd, refused, image_requests: imageRequests,
    }) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write('gallery_bench: ' + error.message + '\n');
  process.exit(1);
});
