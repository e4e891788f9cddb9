import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, ifMatch, unwrap, type AllowlistEntry, type Flag } from '../api/client';
import { ConfirmButton } from '../components/ConfirmButton';
import { HistoryTimeline } from '../components/HistoryTimeline';
import { describeError, LoadError, Notice, type NoticeValue } from '../components/Notice';
import { Time } from '../components/Time';
import { useI18n, type Translate } from '../i18n/i18n';
import { masterSwitchVariable } from '../lib/monitor';
import { can, canChangeFlag } from '../lib/permissions';
import { useUser } from '../lib/session';
import { useLoad } from '../lib/use-load';

async function loadFlag(key: string): Promise<Flag> {
  return unwrap(await api.GET('/api/admin/feature-flags/{key}', { params: { path: { key } } }));
}

/**
 * A failed write in words. A stale If-Match (412) names who changed the flag meanwhile, read
 * from the flag as it is now.
 */
export async function explainWriteError(t: Translate, key: string, error: unknown): Promise<string> {
  if (error instanceof ApiError && error.status === 412) {
    const current = await loadFlag(key).catch(() => null);
    return t('common.conflict', { actor: current?.updatedBy ?? '?' });
  }
  return describeError(t, error);
}

export function MasterSwitchBanner({ flag }: { flag: Flag }) {
  const { t } = useI18n();
  if (flag.masterSwitch !== 'off') return null;
  return (
    <p role="alert" className="banner">
      ⚠ {t('flag.masterBanner', { variable: masterSwitchVariable(flag.key) })}
    </p>
  );
}

function FlagControls({ flag, onChanged }: { flag: Flag; onChanged: () => Promise<void> }) {
  const { t } = useI18n();
  const user = useUser();
  const [percentage, setPercentage] = useState(String(flag.rolloutPercentage));
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<NoticeValue>(null);
  const before = { enabled: flag.enabled, rolloutPercentage: flag.rolloutPercentage };
  const write = async (body: { enabled?: boolean; rolloutPercentage?: number }) => {
    try {
      const saved = unwrap(
        await api.PATCH('/api/admin/feature-flags/{key}', {
          params: { path: { key: flag.key } },
          headers: ifMatch(flag.version),
          body: { ...body, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      );
      setNotice({ kind: 'ok', text: t('flag.saved', { version: saved.version }) });
      setReason('');
      await onChanged();
    } catch (error) {
      setNotice({ kind: 'error', text: await explainWriteError(t, flag.key, error) });
    }
  };
  const toggled = { ...before, enabled: !flag.enabled };
  const target = Number(percentage);
  const validTarget = percentage.trim() !== '' && Number.isFinite(target) && target >= 0 && target <= 100;
  const maySetTarget = validTarget && canChangeFlag(user.role, before, { ...before, rolloutPercentage: target });
  if (!can(user.role, 'flag.reduceExposure')) return <p className="muted">{t('common.viewOnly')}</p>;
  const submitPercentage = (event: FormEvent) => {
    event.preventDefault();
    if (maySetTarget) void write({ rolloutPercentage: target });
  };
  return (
    <div className="stack">
      {user.role === 'OPERATOR' && <p className="muted">{t('flag.operatorRule')}</p>}
      <label>
        {t('common.reason')} <input value={reason} onChange={(event) => setReason(event.target.value)} />
      </label>
      {canChangeFlag(user.role, before, toggled) && (
        <div>
          <button
            type="button"
            className={flag.enabled ? 'danger' : 'primary'}
            onClick={() => void write({ enabled: !flag.enabled })}
          >
            {flag.enabled ? t('flag.disable') : t('flag.enable')}
          </button>
        </div>
      )}
      <form className="row" onSubmit={submitPercentage}>
        <label>
          {t('flag.percentage')}{' '}
          <input
            type="number"
            min={0}
            max={user.role === 'SUPER_ADMIN' ? 100 : flag.rolloutPercentage}
            step={0.01}
            value={percentage}
            onChange={(event) => setPercentage(event.target.value)}
          />
        </label>
        <button type="submit" disabled={!maySetTarget}>
          {t('flag.setPercentage')}
        </button>
      </form>
      <Notice value={notice} />
    </div>
  );
}

const PAGE = 500;

function Allowlist({ flag, onChanged }: { flag: Flag; onChanged: () => Promise<void> }) {
  const { t } = useI18n();
  const user = useUser();
  const [search, setSearch] = useState('');
  const [pasted, setPasted] = useState('');
  const [notice, setNotice] = useState<NoticeValue>(null);
  const [extra, setExtra] = useState<{ items: AllowlistEntry[]; cursor: string | null }>({ items: [], cursor: null });
  const first = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/admin/feature-flags/{key}/allowlist', {
          params: { path: { key: flag.key }, query: { limit: PAGE } },
        }),
      ),
    [flag.key, flag.version],
  );
  const items = [...(first.data?.items ?? []), ...extra.items];
  const cursor = extra.cursor ?? first.data?.nextCursor ?? null;
  const needle = search.trim().toLowerCase();
  const shown = items.filter((entry) => !needle || entry.subjectId.toLowerCase().includes(needle));
  const refresh = async () => {
    setExtra({ items: [], cursor: null });
    await onChanged();
  };
  const act = async (work: () => Promise<string>) => {
    try {
      setNotice({ kind: 'ok', text: await work() });
      await refresh();
    } catch (error) {
      setNotice({ kind: 'error', text: await explainWriteError(t, flag.key, error) });
    }
  };
  const more = async () => {
    const page = unwrap(
      await api.GET('/api/admin/feature-flags/{key}/allowlist', {
        params: { path: { key: flag.key }, query: { limit: PAGE, cursor: cursor ?? undefined } },
      }),
    );
    setExtra((previous) => ({ items: [...previous.items, ...page.items], cursor: page.nextCursor ?? null }));
  };
  const ids = [
    ...new Set(
      pasted
        .split(/[\s,;]+/)
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  const add = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const answer = unwrap(
        await api.POST('/api/admin/feature-flags/{key}/allowlist', {
          params: { path: { key: flag.key } },
          headers: ifMatch(flag.version),
          body: { subjectIds: ids },
        }),
      );
      setPasted('');
      return t('allowlist.added', { added: answer.added, present: answer.alreadyPresent });
    });
  };
  return (
    <section aria-labelledby="allowlist-title">
      <h2 id="allowlist-title">{t('allowlist.title', { count: flag.allowlistCount })}</h2>
      <div className="row">
        <label>
          {t('allowlist.search')}{' '}
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
        {can(user.role, 'allowlist.remove') && (
          <ConfirmButton
            danger
            label={t('allowlist.removeAll')}
            disabled={flag.allowlistCount === 0}
            message={t('allowlist.removeAllConfirm', { count: flag.allowlistCount, key: flag.key })}
            onConfirm={() =>
              act(async () => {
                const answer = unwrap(
                  await api.DELETE('/api/admin/feature-flags/{key}/allowlist', {
                    params: { path: { key: flag.key } },
                    headers: ifMatch(flag.version),
                  }),
                );
                return t('allowlist.removed', { count: answer.removed });
              })
            }
          />
        )}
      </div>
      <Notice value={notice} />
      <LoadError error={first.error} />
      {items.length === 0 && first.data !== undefined ? (
        <p>{t('allowlist.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('allowlist.subject')}</th>
              <th scope="col">{t('allowlist.addedBy')}</th>
              <th scope="col">{t('allowlist.addedAt')}</th>
              <th scope="col">{t('allowlist.note')}</th>
              {can(user.role, 'allowlist.remove') && <th scope="col">{t('allowlist.remove')}</th>}
            </tr>
          </thead>
          <tbody>
            {shown.map((entry) => (
              <tr key={entry.subjectId}>
                <th scope="row">
                  <code>{entry.subjectId}</code>
                </th>
                <td>{entry.addedBy}</td>
                <td>
                  <Time iso={entry.addedAt} />
                </td>
                <td>{entry.note ?? ''}</td>
                {can(user.role, 'allowlist.remove') && (
                  <td>
                    <ConfirmButton
                      label={t('allowlist.removeOne', { subject: entry.subjectId })}
                      message={t('allowlist.removeOneConfirm', { subject: entry.subjectId, key: flag.key })}
                      onConfirm={() =>
                        act(async () => {
                          unwrap(
                            await api.DELETE('/api/admin/feature-flags/{key}/allowlist/{subjectId}', {
                              params: { path: { key: flag.key, subjectId: entry.subjectId } },
                              headers: ifMatch(flag.version),
                            }),
                          );
                          return t('allowlist.removed', { count: 1 });
                        })
                      }
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void more()}>
          {t('common.loadMore')}
        </button>
      )}
      {can(user.role, 'allowlist.add') && (
        <form onSubmit={add} className="stack">
          <label>
            {t('allowlist.add')}
            <textarea
              rows={4}
              value={pasted}
              onChange={(event) => setPasted(event.target.value)}
              aria-describedby="allowlist-add-help"
            />
          </label>
          <span id="allowlist-add-help" className="muted small">
            {t('allowlist.addHelp')}
          </span>
          <div>
            <button type="submit" disabled={ids.length === 0}>
              {t('allowlist.addSubmit')} ({ids.length})
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** Runbook §1 and §4: one flag, its state, the role's controls, its allowlist and its history. */
export function FlagPage() {
  const { key = '' } = useParams();
  const { t } = useI18n();
  const flag = useLoad(() => loadFlag(key), [key]);
  const history = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/admin/feature-flags/{key}/history', { params: { path: { key }, query: { limit: 100 } } }),
      ).items,
    [key, flag.data?.version],
  );
  const reload = async () => {
    await flag.reload();
  };
  return (
    <>
      <h1>
        <code>{key}</code>
      </h1>
      <LoadError error={flag.error} />
      {flag.data && (
        <>
          <MasterSwitchBanner flag={flag.data} />
          <section aria-labelledby="state-title" className="panel">
            <h2 id="state-title">{t('flag.state')}</h2>
            <dl className="facts">
              <dt>{t('flags.enabled')}</dt>
              <dd>{flag.data.enabled ? `✓ ${t('flags.on')}` : `✗ ${t('flags.off')}`}</dd>
              <dt>{t('flags.rollout')}</dt>
              <dd>{flag.data.rolloutPercentage} %</dd>
              <dt>{t('flags.allowlist')}</dt>
              <dd>{flag.data.allowlistCount}</dd>
              <dt>{t('flag.version')}</dt>
              <dd>{flag.data.version}</dd>
              <dt>{t('flag.updated')}</dt>
              <dd>
                <Time iso={flag.data.updatedAt} /> — {flag.data.updatedBy}
              </dd>
              {flag.data.description && (
                <>
                  <dt>{t('flag.description')}</dt>
                  <dd>{flag.data.description}</dd>
                </>
              )}
            </dl>
            <p>
              <Link to={`/beta-monitor/${key}`}>{t('flag.monitorLink')}</Link>
            </p>
            <FlagControls key={flag.data.version} flag={flag.data} onChanged={reload} />
          </section>
          <Allowlist flag={flag.data} onChanged={reload} />
        </>
      )}
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('history.title')}</h2>
        <LoadError error={history.error} />
        <HistoryTimeline events={history.data ?? []} />
      </section>
    </>
  );
}
