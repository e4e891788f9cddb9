import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from 'src/audit/audit.service';
import { Actor, Principal } from 'src/auth/principal';
import { PhaseResponseDto } from 'src/beta-monitor/beta-monitor.dto';
import { CheckpointsService } from 'src/beta-monitor/checkpoints.service';
import { ComplaintsService } from 'src/beta-monitor/complaints.service';
import {
  CHECKLIST_ITEMS,
  ChecklistItem,
  automatedCriteria,
  decide,
  extensionMsOf,
  goNoGoDueAt,
  suggestChecklist,
} from 'src/beta-monitor/go-no-go/go-no-go';
import {
  ChecklistSignDto,
  GoNoGoResponseDto,
  PhaseAdvanceDto,
  PhaseAdvanceResponseDto,
} from 'src/beta-monitor/go-no-go/go-no-go.dto';
import { ChecklistSignature, GoNoGoRepository } from 'src/beta-monitor/go-no-go/go-no-go.repository';
import { PhasesService } from 'src/beta-monitor/phases/phases.service';
import { activeHolds, describeHolds } from 'src/beta-monitor/signal-actions';
import { FeatureFlagsService } from 'src/feature-flags/feature-flags.service';
import { AppError } from 'src/http/app-error';

type StartedPhase = PhaseResponseDto & { startedAt: string };

/** The go/no-go of a flag's active phase (docs/operator-guide.md, the go/no-go): criteria, checklist, decision, advance. */
@Injectable()
export class GoNoGoService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly flags: FeatureFlagsService,
    private readonly phases: PhasesService,
    private readonly checkpoints: CheckpointsService,
    private readonly complaints: ComplaintsService,
    private readonly repository: GoNoGoRepository,
    private readonly audit: AuditService,
  ) {}

  async evaluate(key: string, now: Date): Promise<GoNoGoResponseDto> {
    const flag = await this.flags.get(key);
    const phase = await this.activePhase(key);
    const startedAt = new Date(phase.startedAt);
    const [checkpoints, signatures, complaints, list] = await Promise.all([
      this.checkpoints.ofPhase(key, phase.name, startedAt),
      this.repository.signatures(key, phase.name, startedAt),
      this.complaints.between(key, startedAt, now),
      this.phases.list(key),
    ]);
    const automated = automatedCriteria({
      checkpoints,
      startedAt,
      minDurationMinutes: phase.minDurationMinutes,
      cadenceMs: this.checkpoints.coverageCadenceMs(),
      now,
      current: {
        enabled: flag.enabled,
        rolloutPercentage: flag.rolloutPercentage,
        allowlistCount: flag.allowlistCount,
        masterSwitch: flag.masterSwitch,
        version: flag.version,
      },
      expected: phase.expected,
      allowlistTolerance: phase.allowlistTolerance,
    });
    const suggestions = suggestChecklist(checkpoints, {
      critical: complaints.filter((complaint) => complaint.severity === 'critical').length,
      minor: complaints.filter((complaint) => complaint.severity === 'minor').length,
    });
    const signed = new Map(signatures.map((signature) => [signature.item, signature]));
    const dueAt = goNoGoDueAt(phase);
    const result = decide({
      automated,
      manual: CHECKLIST_ITEMS.map((item) => ({ item, signed: signed.get(item)?.status ?? null })),
      dueAt,
      now,
      extensionMs: extensionMsOf(phase),
    });
    const byStatus: Record<string, number> = {};
    for (const checkpoint of checkpoints) byStatus[checkpoint.status] = (byStatus[checkpoint.status] ?? 0) + 1;
    return {
      featureKey: key,
      phase: phase.name,
      startedAt: phase.startedAt,
      dueAt: dueAt.toISOString(),
      evaluatedAt: now.toISOString(),
      decision: result.decision,
      reasons: result.reasons,
      nextReviewAt: result.nextReviewAt?.toISOString() ?? null,
      automated,
      checklist: suggestions.map((suggestion) => ({
        item: suggestion.code,
        suggested: suggestion.status,
        suggestion: suggestion.message,
        evidence: suggestion.evidence,
        signed: signatureView(signed.get(suggestion.code)),
      })),
      checkpoints: {
        total: checkpoints.length,
        scheduled: checkpoints.filter((c) => c.trigger === 'scheduled').length,
        byStatus,
      },
      nextPhase: list.items[phase.position + 1]?.name ?? null,
      holds: activeHolds(phase.signalActions, checkpoints),
    };
  }

  /** Signs a manual checklist item for the active phase; re-signing replaces the signature. Audited. */
  async sign(actor: Actor, key: string, item: ChecklistItem, dto: ChecklistSignDto): Promise<GoNoGoResponseDto> {
    await this.flags.get(key);
    const phase = await this.activePhase(key);
    const signature: ChecklistSignature = {
      item,
      status: dto.status,
      note: dto.note ?? null,
      signedBy: actor.name,
      signedAt: new Date(),
    };
    await this.dataSource.transaction(async (manager) => {
      const before = await this.repository.sign(manager, key, phase.name, signature);
      await this.audit.record(manager, actor, {
        action: 'checklist.signed',
        featureKey: key,
        before: before && { phase: phase.name, ...signatureView(before) },
        after: { phase: phase.name, item, ...signatureView(signature) },
        reason: dto.note,
      });
    });
    return this.evaluate(key, new Date());
  }

  /**
   * Starts the next phase (its expected config, its clock) when the decision is GO and no hold is
   * active, or when forced with a reason, which is audited as an override naming the decision and
   * the holds it overrode.
   */
  async advance(
    principal: Principal,
    actor: Actor,
    key: string,
    dto: PhaseAdvanceDto,
    now: Date,
  ): Promise<PhaseAdvanceResponseDto> {
    const view = await this.evaluate(key, now);
    if (view.nextPhase === null)
      throw new AppError(
        HttpStatus.CONFLICT,
        'NO_NEXT_PHASE',
        `The phase ${view.phase} of ${key} is the last one; define the next with PUT …/phases.`,
      );
    const held = view.holds.length > 0;
    if (held && dto.force !== true)
      throw new AppError(HttpStatus.CONFLICT, 'PHASE_ON_HOLD', describeHolds(`${view.phase} of ${key}`, view.holds), {
        holds: view.holds,
      });
    const forced = view.decision !== 'GO' || held;
    if (forced && dto.force !== true) {
      throw new AppError(
        HttpStatus.CONFLICT,
        'GO_NO_GO_NOT_GO',
        `The go/no-go of ${view.phase} is ${view.decision}, not GO: ${view.reasons.join('; ')}.`,
        { decision: view.decision, reasons: view.reasons },
      );
    }
    const reason = dto.reason ?? `go/no-go GO: advance from ${view.phase} to ${view.nextPhase}`;
    const to = await this.phases.start(principal, actor, key, view.nextPhase, reason);
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, actor, {
        action: forced ? 'phase.advanced_by_override' : 'phase.advanced',
        featureKey: key,
        before: {
          phase: view.phase,
          decision: view.decision,
          reasons: view.reasons,
          holds: held ? view.holds : undefined,
        },
        after: {
          phase: to.name,
          ...(forced ? { overriddenDecision: view.decision } : {}),
          overriddenHolds: held ? view.holds.map((hold) => hold.code) : undefined,
        },
        reason,
      }),
    );
    return { from: view.phase, to, decision: view.decision, forced };
  }

  private async activePhase(key: string): Promise<StartedPhase> {
    const phase = await this.phases.find(key);
    if (phase === null || phase.startedAt === null) {
      throw new AppError(
        HttpStatus.CONFLICT,
        'NO_ACTIVE_PHASE',
        `The flag ${key} has no started phase; start one with POST …/phases/:phase/start.`,
      );
    }
    return { ...phase, startedAt: phase.startedAt };
  }
}

function signatureView(signature: ChecklistSignature | undefined | null) {
  return signature
    ? {
        status: signature.status,
        note: signature.note,
        signedBy: signature.signedBy,
        signedAt: signature.signedAt.toISOString(),
      }
    : null;
}
