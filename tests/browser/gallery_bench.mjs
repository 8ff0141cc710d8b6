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

async function main() {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    let imageRequests = 0;
    page.on('request', (request) => {
      if (/^\/api\/images\/[^/]+$/.test(new URL(request.url()).pathname)) imageRequests++;
    });
    const started = Date.now();
    await page.goto(env.GALLERY_URL);
    await page.waitForSelector('body[data-ready="true"]');
    const cards = await page.$$eval('#grid .card', (all) => all.length);
    const want = Math.min(first, cards);
    await page.waitForFunction(allShown, want, { timeout: 120000, polling: 20 });
    const firstScreenMs = Date.now() - started;
    const onScreen = await page.$$eval('#grid .card', (all) => all.filter((card) => {
      const box = card.getBoundingClientRect();
      return box.top < window.innerHeight && box.bottom > 0;
    }).length);
    const requestsBeforeScroll = imageRequests;
    const scrollStarted = Date.now();
    for (let i = 0; i < 400; i++) {
      const done = await page.evaluate(() => {
        window.scrollBy(0, window.innerHeight);
        return window.scrollY + window.innerHeight >= document.body.scrollHeight;
      });
      if (done && await page.evaluate(allShown, cards)) break;
      await page.waitForTimeout(50);
    }
    await page.waitForFunction(allShown, cards, { timeout: 300000, polling: 50 });
    process.stdout.write(JSON.stringify({
      cards, first: want, on_screen: onScreen, first_screen_ms: firstScreenMs,
      image_requests_before_scroll: requestsBeforeScroll,
      all_shown_after_scroll_ms: Date.now() - scrollStarted, image_requests: imageRequests,
    }) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write('gallery_bench: ' + error.message + '\n');
  process.exit(1);
});
