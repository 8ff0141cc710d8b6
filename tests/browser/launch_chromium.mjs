// Debian's headless chromium through playwright-core (no browser is downloaded): CHROMIUM
// overrides its path. Shared by the gallery's browser check and its benchmark.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Root (CI containers) cannot use chromium's sandbox.
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
}
