import { defineConfig } from '@playwright/test';

/** E2E_PORT lets two checkouts run their browser tests side by side on one machine. */
const PORT = Number(process.env.E2E_PORT ?? 4399);

/** Debian's Chromium (docs/architecture.md §7): Playwright's own browser download is not reachable here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  // A spec signs in with a password and a TOTP code (issue #7 part 4b): each 30 s step is accepted
  // once per account, so a sign-in may wait for the next step (e2e/staff-login.ts).
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `node scripts/e2e-server.ts ${PORT}`,
    url: `http://127.0.0.1:${PORT}/api/v1/health`,
    reuseExistingServer: false,
    // The build and the demo data take longer when several checkouts share the machine.
    timeout: Number(process.env.E2E_SERVER_TIMEOUT_MS ?? 180_000),
    stdout: 'pipe',
  },
});
