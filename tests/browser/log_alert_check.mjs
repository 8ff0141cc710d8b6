// The gallery's certificate-log alert in headless chromium (tests/client/gallery/
// gallery_log_check_test.cpp starts it): the page at GALLERY_URL shows no alert at first,
// prints "waiting-for-impostor", and once the test has made the CA issue the user's name to
// someone else, shows the alert (#log-alert, role=alert) naming IMPERSONATION within
// ALERT_WITHIN_MS. SCREENSHOT optional: where to save the page with its alert. Exit 0 with
// "all checks passed", 1 with "FAIL: why".
import { launchChromium } from './launch_chromium.mjs';

const env = process.env;
const say = (line) => process.stdout.write(line + '\n');
function check(condition, what) {
  if (!condition) throw new Error(what);
  say('ok: ' + what);
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto(env.GALLERY_URL);
  await page.waitForSelector('body[data-ready="true"]');
  check(await page.isHidden('#log-alert'), 'no alert while the log holds only the user\'s keys');
  say('waiting-for-impostor');
  await page.waitForSelector('#log-alert:not([hidden])',
                             { timeout: Number(env.ALERT_WITHIN_MS || 40000) });
  const text = await page.textContent('#log-alert');
  check(text.includes('IMPERSONATION'), 'the alert names IMPERSONATION');
  check(text.includes(env.EXPECT_TEXT), 'the alert says: ' + env.EXPECT_TEXT);
  check(await page.getAttribute('#log-alert', 'role') === 'alert', 'it is announced as an alert');
  if (env.SCREENSHOT) await page.screenshot({ path: env.SCREENSHOT });
  say('all checks passed');
} catch (error) {
  say('FAIL: ' + error.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
