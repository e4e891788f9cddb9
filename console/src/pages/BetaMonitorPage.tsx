import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Checkpoint, type Flag } from '../api/client';
import { AlertList } from '../components/AlertList';
import { CheckpointTimeline } from '../components/CheckpointTimeline';
import { Complaints } from '../components/Complaints';
import { GoNoGoPanel } from '../components/GoNoGoPanel';
import { HealthBadge, StatusChip } from '../components/HealthBadge';
import { LineChart } from '../components/LineChart';
import { describeError, LoadError, Notice, type NoticeValue } from '../components/Notice';
import { PhaseClock } from '../components/PhaseClock';
import { RollbackPanel } from '../components/RollbackPanel';
import { Holds, SignalActionsTable } from '../components/SignalActions';
import { Time } from '../components/Time';
import { useI18n } from '../i18n/i18n';
import { chartPoints, loadCheckpoints, loadStatus, percent } from '../lib/monitor';
import { can } from '../lib/permissions';
import { useUser } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { MasterSwitchBanner } from './FlagPage';

/** How often an open monitor page asks for new checkpoints (see docs/adr/0012). */
export const LIVE_POLL_MS = 5000;

function RunNow({ flagKey, phase, onRun }: { flagKey: string; phase: string; onRun: () => Promise<void> }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Checkpoint | null>(null);
  const [notice, setNotice] = useState<NoticeValue>(null);
  const run = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const checkpoint = unwrap(
        await api.POST('/api/admin/beta-monitor/{key}/run', { params: { path: { key: flagKey } }, body: { phase } }),
      );
      setResult(checkpoint);
      await onRun();
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="run-now">
      <button
        type="button"
        className="primary big"
        disabled={busy}
        onClick={() => void run()}
        aria-describedby="run-now-hint"
      >
        ▶ {busy ? t('monitor.running') : t('monitor.runNow')}
      </button>
      <span id="run-now-hint" className="muted small">
        {t('monitor.runNowHint')}
      </span>
      <Notice value={notice} />
      {result && (
        <div role="status" className="run-result">
          <p>
            <Link to={`/beta-monitor/${flagKey}/checkpoints/${result.id}`}>
              {t('monitor.runResult', { label: result.label, status: result.status, health: result.health })}
            </Link>{' '}
            <HealthBadge health={result.health} />
          </p>
          <AlertList alerts={result.alerts} />
        </div>
      )}
    </div>
  );
}

/** Runbook §2–§5 for one flag: the signal, manual runs, the timeline, charts, complaints, go/no-go and rollback. */
export function BetaMonitorPage() {
  const { key = '' } = useParams();
  const { t } = useI18n();
  const user = useUser();
  const status = useLoad(() => loadStatus(key), [key], LIVE_POLL_MS);
  const checkpoints = useLoad(() => loadCheckpoints(key), [key], LIVE_POLL_MS);
  const flag = useLoad(
    async (): Promise<Flag> => unwrap(await api.GET('/api/admin/feature-flags/{key}', { params: { path: { key } } })),
    [key],
    15000,
  );
  // Bumped after a dismissal so the go/no-go panel asks again (its holds and criteria change).
  const [dismissals, setDismissals] = useState(0);
  const refresh = async () => {
    await Promise.all([status.reload(), checkpoints.reload(), flag.reload()]);
  };
  const afterDismissal = async () => {
    setDismissals((count) => count + 1);
    await refresh();
  };
  const s = status.data;
  const phase = s?.phase ?? null;
  const inPhase = (checkpoints.data ?? []).filter((c) => c.phase === phase?.name);
  const charts = chartPoints(inPhase);
  const series = (points: (typeof charts)['rate5xx']) => [
    { name: t('monitor.treatment'), points: points[0]!, className: 'series-treatment' },
    { name: t('monitor.control'), points: points[1]!, className: 'series-control' },
  ];
  return (
    <>
      <h1>{t('monitor.titleFor', { key })}</h1>
      <p className="muted small">
        <Link to={`/feature-flags/${key}`}>{key}</Link> · {t('monitor.live', { seconds: LIVE_POLL_MS / 1000 })}
      </p>
      <LoadError error={status.error} />
      {flag.data && <MasterSwitchBanner flag={flag.data} />}
      {s && (
        <>
          <section aria-labelledby="signal-title" className="panel signal">
            <h2 id="signal-title">{t('monitor.health')}</h2>
            <div className="signal-grid">
              <div>
                <HealthBadge health={s.health} large />
                <p>
                  {t('monitor.latest')}:{' '}
                  {s.latest ? (
                    <>
                      <Link to={`/beta-monitor/${key}/checkpoints/${s.latest.id}`}>{s.latest.label}</Link>{' '}
                      <StatusChip status={s.latest.status} /> <Time iso={s.latest.createdAt} />
                    </>
                  ) : (
                    t('monitor.noCheckpoint')
                  )}
                </p>
                <h3>{t('monitor.alerts')}</h3>
                <AlertList
                  alerts={s.latest?.alerts ?? []}
                  dismiss={
                    s.latest && can(user.role, 'alert.dismiss')
                      ? { flagKey: key, checkpointId: s.latest.id, onDone: afterDismissal }
                      : null
                  }
                />
              </div>
              <div>
                <h3>{t('monitor.criteria')}</h3>
                <dl className="criteria-legend">
                  {(['GREEN', 'YELLOW', 'RED'] as const).map((health) => (
                    <div key={health}>
                      <dt>
                        <HealthBadge health={health} />
                      </dt>
                      <dd>{t(`monitor.criteria.${health}`)}</dd>
                    </div>
                  ))}
                </dl>
              </div>
            </div>
          </section>
          {phase ? (
            <section aria-labelledby="phase-title" className="panel">
              <h2 id="phase-title">{t('monitor.phase')}</h2>
              <PhaseClock status={s} />
              <Holds holds={s.holds} flagKey={key} />
              <SignalActionsTable phase={phase} />
              {can(user.role, 'checkpoint.run') && <RunNow flagKey={key} phase={phase.name} onRun={refresh} />}
            </section>
          ) : (
            <p>{t('monitor.noPhase')}</p>
          )}
          {phase?.startedAt && (
            <section aria-labelledby="timeline-title" className="panel">
              <h2 id="timeline-title">{t('monitor.timeline')}</h2>
              <CheckpointTimeline startedAt={phase.startedAt} checkpoints={inPhase} flagKey={key} />
              <h3>{t('monitor.recent')}</h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('monitor.label')}</th>
                    <th scope="col">{t('monitor.status')}</th>
                    <th scope="col">{t('monitor.trigger')}</th>
                    <th scope="col">{t('monitor.at')}</th>
                    <th scope="col">{t('monitor.alerts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {(checkpoints.data ?? []).slice(0, 10).map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        <Link to={`/beta-monitor/${key}/checkpoints/${c.id}`}>{c.label}</Link>
                      </th>
                      <td>
                        <StatusChip status={c.status} />
                      </td>
                      <td>
                        {c.trigger} ({c.triggeredBy})
                      </td>
                      <td>
                        <Time iso={c.createdAt} />
                      </td>
                      <td>{c.alerts.map((alert) => alert.code).join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          {phase && (
            <section aria-labelledby="charts-title" className="panel">
              <h2 id="charts-title">{t('monitor.charts')}</h2>
              <div className="charts">
                <LineChart
                  title={t('monitor.chart5xx')}
                  series={series(charts.rate5xx)}
                  format={percent}
                  empty={t('monitor.noData')}
                />
                <LineChart
                  title={t('monitor.chartLatency')}
                  series={series(charts.latency)}
                  format={(v) => `${Math.round(v)} ms`}
                  empty={t('monitor.noData')}
                />
                <LineChart
                  title={t('monitor.chartMatching')}
                  series={series(charts.matching)}
                  format={percent}
                  empty={t('monitor.noData')}
                />
              </div>
            </section>
          )}
          {flag.data && <RollbackPanel flag={flag.data} onDone={refresh} />}
          {phase && <GoNoGoPanel key={dismissals} flagKey={key} onAdvanced={refresh} />}
          <Complaints flagKey={key} />
        </>
      )}
    </>
  );
}
