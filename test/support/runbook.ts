import { RUNBOOK_BETA, RUNBOOK_FLAG, RUNBOOK_PHASES } from 'src/cli/seed-runbook';
import { Http } from './test-app';

export const FLAG = RUNBOOK_FLAG;
export const BETA = RUNBOOK_BETA;
export const [PHASE1, PHASE2] = RUNBOOK_PHASES;

/** The runbook's §1: the flag, Phase 1 defined and started, 10 beta passengers. */
export async function setUpPhase1(http: Http, admin: string): Promise<void> {
  const auth = { type: 'bearer' as const };
  await http
    .post('/api/admin/feature-flags')
    .auth(admin, auth)
    .send({ key: FLAG, description: 'Passenger favorites matching' })
    .expect(201);
  await http
    .post(`/api/admin/feature-flags/${FLAG}/allowlist`)
    .auth(admin, auth)
    .send({ subjectIds: BETA, reason: 'Phase 1 beta group' })
    .expect(200);
  await http
    .put(`/api/admin/beta-monitor/${FLAG}/phases`)
    .auth(admin, auth)
    .send({ phases: [PHASE1, PHASE2] })
    .expect(200);
  await http.post(`/api/admin/beta-monitor/${FLAG}/phases/phase1_beta/start`).auth(admin, auth).send({}).expect(200);
}
