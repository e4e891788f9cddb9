import { ConsoleHarness, runbookFlag, signIn, startConsole } from './console-harness';

let h: ConsoleHarness;

// The real scheduler, every 3 seconds instead of hourly, on this file's own app and database.
beforeAll(async () => {
  h = await startConsole({ BETA_MONITOR_SCHEDULE_ENABLED: 'true', BETA_MONITOR_CRON: '*/3 * * * * *' });
});
afterAll(() => h.close());

it('an open beta-monitor page picks up a scheduled checkpoint on its own, without a reload', async () => {
  const key = await runbookFlag(h, `pfm_live_${process.pid}`);
  const { page } = await h.page();
  await signIn(page, h.accounts.ANGEL_VIEWER, `/admin/beta-monitor/${key}`);
  await page.getByRole('heading', { name: 'Recent checkpoints' }).waitFor();
  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  const labels = async () => page.locator('table tbody th a').allTextContents();
  const before = await labels();
  const fresh = (labels: string[]) =>
    labels.filter((label) => label.startsWith('scheduled-') && !before.includes(label));
  const deadline = Date.now() + 20000;
  while (fresh(await labels()).length === 0 && Date.now() < deadline) await page.waitForTimeout(500);
  const after = await labels();
  expect(fresh(after).length).toBeGreaterThan(0);
  expect(navigations).toBe(0);
  // The health signal and the hour cell follow the new checkpoint.
  await page.locator('.hours .hour-pass').first().waitFor();
});
