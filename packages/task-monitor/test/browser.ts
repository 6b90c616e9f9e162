import { existsSync } from 'node:fs';
import { MissingBinaryError, makeTempDir, removeTempDir } from '@reelwatch/testkit';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (package `chromium`): the browser tests drive it; none is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** The browser's path; throws naming the Debian package when it is not installed. */
export function chromiumPath(file = CHROMIUM): string {
  if (!existsSync(file)) throw new MissingBinaryError(file, 'chromium');
  return file;
}

/**
 * Debian's Chromium in a fresh profile (removed by close()), with basic-auth credentials answered
 * for every request, pages at `baseURL`.
 */
export async function launchChromium(options: {
  baseURL: string;
  credentials: { username: string; password: string };
}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const executablePath = chromiumPath();
  const profile = makeTempDir('chromium-profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1280, height: 800 },
    httpCredentials: options.credentials,
    baseURL: options.baseURL,
  });
  return {
    context,
    async close() {
      await context.close();
      removeTempDir(profile);
    },
  };
}
