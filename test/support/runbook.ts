import { Http } from './test-app';

export const FLAG = 'passenger_favorites_matching';
export const BETA = Array.from({ length: 10 }, (_, i) => `pass_beta_${String(i + 1).padStart(3, '0')}_2026`);

export const PHASE1 = {
  name: 'phase1_beta',
  expected: { enabled: true, rolloutPercentage: 0, allowlistCount: 10 },
  allowlistTolerance: 1,
  determinismProbes: [
    { subjectId: 'pass_beta_001_2026', inAllowlist: true },
    { subjectId: 'pass_beta_005_2026', inAllowlist: true },
  ],
  minDurationHours: 24,
};

export const PHASE2 = {
  name: 'phase2_one_percent',
  expected: { enabled: true, rolloutPercentage: 1, allowlistCount: 10 },
  determinismProbes: PHASE1.determinismProbes,
};

/** The runbook's §1: the flag, Phase 1 defined and started, 10 beta passengers. */
export async function setUpPhase1(http: Http, admin: string): Promise<void> {
  const auth = { type: 'bearer' as const };
  await http.post('/api/admin/feature-flags').auth(admin, auth).send({ key: FLAG, description: 'Passenger favorites matching' }).expect(201);
  await http.post(`/api/admin/feature-flags/${FLAG}/allowlist`).auth(admin, auth).send({ subjectIds: BETA, reason: 'Phase 1 beta group' }).expect(200);
  await http.put(`/api/admin/beta-monitor/${FLAG}/phases`).auth(admin, auth).send({ phases: [PHASE1, PHASE2] }).expect(200);
  await http.post(`/api/admin/beta-monitor/${FLAG}/phases/phase1_beta/start`).auth(admin, auth).send({}).expect(200);
}
