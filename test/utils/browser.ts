import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Where Debian, Ubuntu and other distributions put Chromium or Chrome; CHROMIUM_PATH wins. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * The system's Chromium driven by playwright-core (no browser download: `.ci/run` installs Debian's
 * `chromium` package when it is missing).
 */
export async function launchSystemChromium(): Promise<Browser> {
  const executablePath = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((path): path is string => !!path && existsSync(path));
  if (!executablePath) {
    throw new Error(`No Chromium found (tried ${CANDIDATES.join(', ')}); install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
