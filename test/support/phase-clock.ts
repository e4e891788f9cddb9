import { DataSource } from 'typeorm';

export const HOUR_MS = 3_600_000;

/**
 * Moves a phase's clock: its start goes `hours` back, and the past hours get scheduled
 * checkpoints that are copies of a real one (`copyOf`), one per hour from `fromHour` hours ago
 * (0: the current hour too) to `hours` hours ago. The go/no-go then sees a phase that ran that
 * long, without waiting for it.
 */
export async function backdatePhase(
  database: DataSource,
  target: Readonly<{ featureKey: string; phase: string; hours: number; copyOf: string; fromHour: 0 | 1 }>,
): Promise<void> {
  await database.query(
    `UPDATE beta_monitor_phases SET started_at = started_at - make_interval(hours => $3) WHERE feature_key = $1 AND name = $2`,
    [target.featureKey, target.phase, target.hours],
  );
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  for (let i = target.fromHour; i <= target.hours; i++) {
    const slot = new Date(hour - i * HOUR_MS);
    await database.query(
      `INSERT INTO beta_monitor_checkpoints (feature_key, phase, checkpoint_label, status, health, trigger, triggered_by, window_start, window_end,
         config_json, metrics_json, determinism_json, evidence_json, alerts_json, error, duration_ms, created_at)
       SELECT feature_key, phase, $2, status, health, 'scheduled', 'beta-monitor', $3::timestamptz - interval '1 hour', $3::timestamptz,
         config_json, metrics_json, determinism_json, evidence_json, alerts_json, error, duration_ms, $3::timestamptz + interval '1 minute'
       FROM beta_monitor_checkpoints WHERE id = $1`,
      [target.copyOf, `scheduled-${slot.toISOString().slice(0, 16)}Z`, slot.toISOString()],
    );
  }
}
