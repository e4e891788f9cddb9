import { INestApplicationContext } from '@nestjs/common';
import { AllowlistService } from 'src/allowlist/allowlist.service';
import { Principal } from 'src/auth/principal';
import { PhaseDto } from 'src/beta-monitor/beta-monitor.dto';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { AppError } from 'src/http/app-error';

export const RUNBOOK_FLAG = 'passenger_favorites_matching';
export const RUNBOOK_BETA = Array.from({ length: 10 }, (_, i) => `pass_beta_${String(i + 1).padStart(3, '0')}_2026`);
export const RUNBOOK_PHASES: PhaseDto[] = [
  {
    name: 'phase1_beta',
    expected: { enabled: true, rolloutPercentage: 0, allowlistCount: 10 },
    allowlistTolerance: 1,
    determinismProbes: [
      { subjectId: 'pass_beta_001_2026', inAllowlist: true },
      { subjectId: 'pass_beta_005_2026', inAllowlist: true },
    ],
    minDurationHours: 24,
  },
  {
    name: 'phase2_one_percent',
    expected: { enabled: true, rolloutPercentage: 1, allowlistCount: 10 },
    allowlistTolerance: 1,
    determinismProbes: [
      { subjectId: 'pass_beta_001_2026', inAllowlist: true },
      { subjectId: 'pass_beta_005_2026', inAllowlist: true },
    ],
    minDurationHours: 24,
  },
];

const SEEDER: Principal = { kind: 'service', id: 'seed-runbook', name: 'seed-runbook', role: 'SUPER_ADMIN' };

/** The runbook's phases, or the same phases lasting `phaseMinutes` each (a demo that reaches GO in minutes). */
export function runbookPhases(phaseMinutes: number | null): PhaseDto[] {
  if (phaseMinutes === null) return RUNBOOK_PHASES;
  return RUNBOOK_PHASES.map(({ minDurationHours: _hours, ...phase }) => ({
    ...phase,
    minDurationMinutes: phaseMinutes,
  }));
}

/**
 * The runbook's §1, exactly: `passenger_favorites_matching`, 10 beta passengers, Phase 1
 * (enabled, 0 %) started, Phase 2 (1 %) defined. Idempotent: an existing flag is left as it is.
 * With `phaseMinutes`, the phases last that many minutes instead of 24 hours.
 */
export async function seedRunbook(
  app: INestApplicationContext,
  phaseMinutes: number | null = null,
): Promise<'created' | 'exists'> {
  const flags = app.get(FeatureFlagsService);
  const actor = { name: SEEDER.name, role: SEEDER.role, requestId: null };
  try {
    await flags.get(RUNBOOK_FLAG);
    return 'exists';
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'FLAG_NOT_FOUND')) throw error;
  }
  await flags.create(actor, {
    key: RUNBOOK_FLAG,
    description: 'Passenger Favorites Matching (runbook Phase 1 beta)',
    reason: 'seed-runbook',
  });
  await app
    .get(AllowlistService)
    .add(actor, RUNBOOK_FLAG, { subjectIds: RUNBOOK_BETA, note: 'Phase 1 beta group', reason: 'seed-runbook' });
  const phases = app.get(PhasesService);
  await phases.replace(actor, RUNBOOK_FLAG, { phases: runbookPhases(phaseMinutes), reason: 'seed-runbook' });
  await phases.start(SEEDER, actor, RUNBOOK_FLAG, 'phase1_beta', 'seed-runbook: Phase 1 beta, allowlist only');
  return 'created';
}
