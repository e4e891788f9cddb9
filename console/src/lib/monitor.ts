import { api, unwrap, type Checkpoint, type Flag, type MonitorStatus } from '../api/client';

export async function loadStatus(key: string): Promise<MonitorStatus> {
  return unwrap(
    await api.GET('/api/admin/beta-monitor/{key}/status', { params: { path: { key } } }),
  ) as unknown as MonitorStatus;
}

export async function loadFlags(): Promise<Flag[]> {
  return unwrap(await api.GET('/api/admin/feature-flags')).items;
}

/** Every flag with its beta-monitor status (active phase, latest health). */
export async function loadFlagsWithStatus(): Promise<Array<{ flag: Flag; status: MonitorStatus | null }>> {
  const flags = await loadFlags();
  return Promise.all(flags.map(async (flag) => ({ flag, status: await loadStatus(flag.key).catch(() => null) })));
}

export async function loadCheckpoints(key: string, limit = 200): Promise<Checkpoint[]> {
  return unwrap(
    await api.GET('/api/admin/beta-monitor/{key}/checkpoints', { params: { path: { key }, query: { limit } } }),
  ).items;
}

export function masterSwitchVariable(key: string): string {
  return `FEATURE_${key.toUpperCase()}`;
}

type Counts = Readonly<{ total?: number; c5xx?: number }>;
type MatchingCounts = Readonly<{ total?: number; success?: number }>;
type Metrics = Readonly<{
  http?: { treatment?: Counts; control?: Counts };
  latencyP95Ms?: { treatment?: number | null; control?: number | null };
  matching?: { treatment?: MatchingCounts; control?: MatchingCounts };
}>;

const rate = (part: number | undefined, total: number | undefined): number | null =>
  total ? (part ?? 0) / total : null;

/** The three series the monitor charts, one point per checkpoint, oldest first. */
export function chartPoints(checkpoints: readonly Checkpoint[]) {
  const ordered = [...checkpoints]
    .filter((c) => c.status !== 'ERROR')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const at = (c: Checkpoint) => Date.parse(c.createdAt);
  const metrics = (c: Checkpoint) => (c.metrics ?? {}) as Metrics;
  return {
    rate5xx: (['treatment', 'control'] as const).map((side) =>
      ordered.map((c) => ({ x: at(c), y: rate(metrics(c).http?.[side]?.c5xx, metrics(c).http?.[side]?.total) })),
    ),
    latency: (['treatment', 'control'] as const).map((side) =>
      ordered.map((c) => ({ x: at(c), y: metrics(c).latencyP95Ms?.[side] ?? null })),
    ),
    matching: (['treatment', 'control'] as const).map((side) =>
      ordered.map((c) => ({
        x: at(c),
        y: rate(metrics(c).matching?.[side]?.success, metrics(c).matching?.[side]?.total),
      })),
    ),
  };
}

export const percent = (value: number): string => `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
