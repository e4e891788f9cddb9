import type { Page } from 'playwright-core';
import { ConsoleHarness, runbookFlag, signIn, startConsole } from './console-harness';

let h: ConsoleHarness;
let flagCounter = 0;
const newKey = (): string => `pfm_console_${process.pid}_${++flagCounter}`;

beforeAll(async () => {
  h = await startConsole();
});
afterAll(() => h.close());

const confirmDialog = (page: Page, name: RegExp | string = /^(Confirm|Confirmar)$/) =>
  page.getByRole('dialog').getByRole('button', { name }).click();

describe('operator console in Chromium', () => {
  it('is served by flagdog at /admin with a strict CSP, and / leads to the flags list', async () => {
    const { page, violations } = await h.page();
    const response = await page.goto('/');
    expect(page.url()).toBe(`${h.base}/admin/feature-flags`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    await signIn(page, h.accounts.SUPER_ADMIN);
    await page.getByRole('heading', { name: 'Feature flags' }).waitFor();
    // The same page by its address, after a reload: the server answers the single page for it.
    await page.reload();
    await page.getByRole('heading', { name: 'Feature flags' }).waitFor();
    expect(await page.evaluate<number>('Object.keys(localStorage).length')).toBe(0);
    expect(page.url()).not.toMatch(/token|eyJ/);
    expect(violations).toEqual([]);
  });

  it('an OPERATOR signs in, opens the beta monitor, clicks "Executar agora" and sees PASS / GREEN', async () => {
    const key = await runbookFlag(h, newKey());
    const { page, violations } = await h.page('pt-BR');
    await signIn(page, h.accounts.OPERATOR);
    await page.getByRole('navigation').getByRole('link', { name: 'Beta monitor' }).click();
    await page.getByRole('link', { name: key }).click();
    await page.getByRole('button', { name: /Executar agora/ }).click();
    const result = page.locator('.run-result');
    await result.getByText(/: PASS \/ GREEN$/).waitFor();
    // Nothing evaluated the flag and nothing was reported: GREEN, but not "healthy".
    await expect(result.textContent()).resolves.toContain('VERDE — sem tráfego nesta janela');
    await expect(result.textContent()).resolves.toContain('Nenhum alerta.');
    await page.locator('.signal').getByText('VERDE — sem tráfego nesta janela').waitFor();
    // The checkpoint page shows the window's data.
    await result.getByRole('link').click();
    const coverage = page.getByRole('region', { name: 'Dados nesta janela' });
    await coverage.getByText('Servido pelo flagdog (ON / OFF)').waitFor();
    await expect(coverage.textContent()).resolves.toContain('nunca');
    expect(violations).toEqual([]);
  });

  it('a SUPER_ADMIN removes one beta passenger; the next run shows YELLOW with CONFIG_DRIFT and who did it', async () => {
    const key = await runbookFlag(h, newKey());
    const { page } = await h.page();
    await signIn(page, h.accounts.SUPER_ADMIN, `/admin/feature-flags/${key}`);
    await page.getByRole('heading', { name: 'Allowlist (10)' }).waitFor();
    await page.getByRole('button', { name: 'Remove pass_beta_003_2026' }).click();
    await expect(page.getByRole('dialog').textContent()).resolves.toContain(
      `Remove pass_beta_003_2026 from the allowlist of ${key}?`,
    );
    await confirmDialog(page);
    await page.getByRole('heading', { name: 'Allowlist (9)' }).waitFor();
    await page.getByRole('link', { name: 'Open the beta monitor' }).click();
    await page.getByRole('button', { name: /Run now/ }).click();
    const result = page.locator('.run-result');
    await result.getByText(/: WARN \/ YELLOW$/).waitFor();
    const text = await result.textContent();
    expect(text).toContain('CONFIG_DRIFT');
    expect(text).toContain(`${h.accounts.SUPER_ADMIN.email} (SUPER_ADMIN)`);
    // The flag's history tells the same story as a readable diff.
    await page.goto(`/admin/feature-flags/${key}`);
    const history = page.locator('.timeline');
    await history.getByText(h.accounts.SUPER_ADMIN.email, { exact: false }).first().waitFor();
  });

  it('the OPERATOR disables the flag from the rollback panel and sees the verification', async () => {
    const key = await runbookFlag(h, newKey());
    const { page } = await h.page();
    await signIn(page, h.accounts.OPERATOR, `/admin/beta-monitor/${key}`);
    const disable = page.getByRole('button', { name: 'Disable the flag (option A)' });
    await expect(disable.isDisabled()).resolves.toBe(true);
    await page.getByLabel('Reason (required)').fill('5xx spike seen by on-call');
    await disable.click();
    await expect(page.getByRole('dialog').textContent()).resolves.toContain(
      `Disable ${key} for everyone now? Reason: 5xx spike seen by on-call`,
    );
    await confirmDialog(page);
    await page.getByText('Rollback verified: the probes now answer OFF.', { exact: false }).waitFor();
    await page.getByText('pass_beta_001_2026: OFF (DISABLED', { exact: false }).waitFor();
    const flag = await h.t.http
      .get(`/api/admin/feature-flags/${key}`)
      .auth(h.accounts.OPERATOR.token, { type: 'bearer' })
      .expect(200);
    expect([flag.body.enabled, flag.body.rolloutPercentage, flag.body.updatedBy]).toEqual([
      false,
      0,
      h.accounts.OPERATOR.email,
    ]);
  });

  it('the OPERATOR clears the allowlist from the flag page after a confirmation naming the count (Level 1, option B)', async () => {
    const key = await runbookFlag(h, newKey());
    const { page } = await h.page();
    await signIn(page, h.accounts.OPERATOR, `/admin/feature-flags/${key}`);
    // An operator may reduce exposure only: no enable, no adding subjects.
    await page.getByText('As an operator you can only reduce exposure', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Add (0)' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Remove all' }).click();
    await expect(page.getByRole('dialog').textContent()).resolves.toContain(
      `Remove all 10 subjects from the allowlist of ${key}?`,
    );
    await confirmDialog(page);
    await page.getByRole('heading', { name: 'Allowlist (0)' }).waitFor();
    await page.getByText('The allowlist is empty.').waitFor();
  });

  it('an ANGEL_VIEWER sees every page and no action; the same action sent to the API is still 403', async () => {
    const key = await runbookFlag(h, newKey());
    const run = await h.t.http
      .post(`/api/admin/beta-monitor/${key}/run`)
      .auth(h.accounts.SUPER_ADMIN.token, { type: 'bearer' })
      .send({ phase: 'phase1_beta' })
      .expect(201);
    const { page } = await h.page();
    await signIn(page, h.accounts.ANGEL_VIEWER);
    const actions =
      /^(Run now|Disable|Enable|Remove all|Remove pass_|Set rollout|Sign (PASS|WARN|FAIL)|Advance|Record complaint|Disable the flag|Clear the allowlist|Add \()/;
    await page.getByRole('link', { name: key }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Users' }).count()).toBe(0);
    for (const [path, landmark] of [
      [`/admin/feature-flags/${key}`, 'Allowlist (10)'],
      [`/admin/beta-monitor/${key}`, 'Go/no-go (runbook §5)'],
      [`/admin/beta-monitor/${key}/checkpoints/${run.body.id}`, 'Checks'],
      ['/admin/beta-monitor', 'Beta monitor'],
    ] as const) {
      await page.goto(path);
      await page.getByRole('heading', { name: landmark }).waitFor();
      expect([path, await page.getByRole('button', { name: actions }).count()]).toEqual([path, 0]);
    }
    await page.goto(`/admin/beta-monitor/${key}`);
    await page.getByText('You can see everything here; your role changes nothing.').first().waitFor();
    // Hiding the button is a convenience; the server is the guard.
    const viewer = h.accounts.ANGEL_VIEWER.token;
    const refused = await h.t.http
      .post(`/api/admin/beta-monitor/${key}/run`)
      .auth(viewer, { type: 'bearer' })
      .send({ phase: 'phase1_beta' });
    expect([refused.status, refused.body.code]).toEqual([403, 'PERMISSION_DENIED']);
    const disable = await h.t.http
      .post(`/api/admin/beta-monitor/${key}/rollback`)
      .auth(viewer, { type: 'bearer' })
      .send({ level: 1, mode: 'disable', reason: 'x' });
    expect(disable.status).toBe(403);
    // A page the role may not read says so, from the API's answer.
    await page.goto('/admin/users');
    await page.getByRole('alert').getByText('Your role may not do this', { exact: false }).waitFor();
  });

  it('a stale edit shows who changed the flag meanwhile', async () => {
    const key = await runbookFlag(h, newKey());
    const { page } = await h.page();
    await signIn(page, h.accounts.SUPER_ADMIN, `/admin/feature-flags/${key}`);
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    await h.t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(h.accounts.OPERATOR.token, { type: 'bearer' })
      .send({ enabled: false, reason: 'meanwhile, elsewhere' })
      .expect(200);
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(`Changed by ${h.accounts.OPERATOR.email} meanwhile — reload`, { exact: false })
      .waitFor();
    // The console's stale write changed nothing: the flag is as the other person left it.
    const flag = await h.t.http
      .get(`/api/admin/feature-flags/${key}/history`)
      .auth(h.accounts.SUPER_ADMIN.token, { type: 'bearer' })
      .expect(200);
    expect(flag.body.items[0].actor).toBe(h.accounts.OPERATOR.email);
  });

  it('a SUPER_ADMIN signs the go/no-go checklist and advances to Phase 2 after a confirmation showing its config', async () => {
    const key = await runbookFlag(h, newKey());
    const { page } = await h.page();
    await signIn(page, h.accounts.SUPER_ADMIN, `/admin/beta-monitor/${key}`);
    await page.getByText('PENDING — not due yet, or items unsigned', { exact: false }).waitFor();
    for (const item of ['Matching success rate ≥ baseline', 'Zero critical complaints from beta passengers']) {
      await page.getByRole('button', { name: `Sign PASS: ${item}` }).click();
    }
    await page.getByText(`Signed PASS by ${h.accounts.SUPER_ADMIN.email}`).nth(1).waitFor();
    await page.getByLabel('Reason', { exact: true }).fill('Phase 1 reviewed by the team');
    await page.getByRole('button', { name: /^Advance to phase2_one_percent/ }).click();
    await expect(page.getByRole('dialog').textContent()).resolves.toContain('enabled true, rollout 1 %, allowlist 10');
    await confirmDialog(page);
    await page.getByText('Now in phase2_one_percent.').waitFor();
    const flag = await h.t.http
      .get(`/api/admin/feature-flags/${key}`)
      .auth(h.accounts.SUPER_ADMIN.token, { type: 'bearer' })
      .expect(200);
    expect([flag.body.enabled, flag.body.rolloutPercentage, flag.body.allowlistCount]).toEqual([true, 1, 10]);
  });

  it('a drift holds the phase; a SUPER_ADMIN dismisses the alert with a reason and the hold is gone (an OPERATOR has no Dismiss)', async () => {
    const key = await runbookFlag(h, newKey());
    const admin = { type: 'bearer' as const };
    await h.t.http
      .patch(`/api/admin/feature-flags/${key}`)
      .auth(h.accounts.SUPER_ADMIN.token, admin)
      .send({ rolloutPercentage: 5, reason: 'wrong click' })
      .expect(200);
    await h.t.http
      .post(`/api/admin/beta-monitor/${key}/run`)
      .auth(h.accounts.OPERATOR.token, admin)
      .send({})
      .expect(201);
    const operator = await h.page();
    await signIn(operator.page, h.accounts.OPERATOR, `/admin/beta-monitor/${key}`);
    await operator.page.getByText('On hold: the phase cannot advance').first().waitFor();
    expect(await operator.page.getByRole('button', { name: /^Dismiss/ }).count()).toBe(0);

    const { page, violations } = await h.page();
    await signIn(page, h.accounts.SUPER_ADMIN, `/admin/beta-monitor/${key}`);
    await page.locator('.holds').getByText('CONFIG_DRIFT').waitFor();
    await page.getByText('What this phase does on each alert').click();
    await page.getByRole('row', { name: /CONFIG_DRIFT hold/ }).waitFor();
    await page.getByRole('button', { name: 'Dismiss CONFIG_DRIFT' }).click();
    await page.getByLabel('Why dismiss CONFIG_DRIFT? (required)').fill('rollout raised by mistake, put back');
    await page.getByRole('dialog').getByRole('button', { name: 'Dismiss', exact: true }).click();
    await page.getByText(`dismissed by ${h.accounts.SUPER_ADMIN.email}: rollout raised by mistake, put back`).waitFor();
    await page.getByText('No hold.').waitFor();
    expect(violations).toEqual([]);
  });

  it('renders both languages, picked from the browser and switchable', async () => {
    const key = await runbookFlag(h, newKey());
    const { page } = await h.page('pt-BR');
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Entrar no flagdog' }).waitFor();
    await signIn(page, h.accounts.OPERATOR, `/admin/beta-monitor/${key}`);
    await page.getByRole('button', { name: /Executar agora/ }).waitFor();
    await expect(page.evaluate<string>('document.documentElement.lang')).resolves.toBe('pt-BR');
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('button', { name: /Run now/ }).waitFor();
    await page.getByRole('heading', { name: 'Rollback (runbook §4)' }).waitFor();
    await expect(page.evaluate<string>('document.documentElement.lang')).resolves.toBe('en');
  });

  it('returns to sign-in with the server’s reason when the token is no longer accepted', async () => {
    const { page } = await h.page();
    await signIn(page, h.accounts.OPERATOR);
    // A token the server no longer accepts: its signature does not match (as after a JWT_SECRET change).
    await page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem('flagdog.session'));
      sessionStorage.setItem('flagdog.session', JSON.stringify({ ...session, token: session.token + 'x' }));
    })()`);
    await page.reload();
    await page
      .getByText('flagdog no longer accepts your token: it was signed with another key', { exact: false })
      .waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});
