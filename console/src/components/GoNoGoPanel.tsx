import { useState } from 'react';
import { api, ApiError, unwrap, type ChecklistItem, type Phase } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { can } from '../lib/permissions';
import { useUser } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { ConfirmButton } from './ConfirmButton';
import { StatusChip } from './HealthBadge';
import { describeError, LoadError, Notice, type NoticeValue } from './Notice';

const SIGNS = ['PASS', 'WARN', 'FAIL'] as const;

function ChecklistRow({
  item,
  flagKey,
  onSigned,
}: {
  item: ChecklistItem;
  flagKey: string;
  onSigned: (notice: NoticeValue) => Promise<void>;
}) {
  const { t } = useI18n();
  const user = useUser();
  const [note, setNote] = useState('');
  const signed = item.signed as { status: string; signedBy: string } | null | undefined;
  const sign = async (status: (typeof SIGNS)[number]) => {
    try {
      unwrap(
        await api.PUT('/api/admin/beta-monitor/{key}/go-no-go/checklist/{item}', {
          params: { path: { key: flagKey, item: item.item } },
          body: { status, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      );
      await onSigned(null);
    } catch (error) {
      await onSigned({ kind: 'error', text: describeError(t, error) });
    }
  };
  return (
    <li className="checklist-item">
      <div>
        <strong>{t(`item.${item.item}`)}</strong>{' '}
        {signed ? (
          <>
            <StatusChip status={signed.status} />{' '}
            {t('goNoGo.signedBy', { status: signed.status, who: signed.signedBy })}
          </>
        ) : (
          <span className="muted">{t('goNoGo.unsigned')}</span>
        )}
      </div>
      <div className="muted small">
        {t('goNoGo.suggested', { status: item.suggested, suggestion: item.suggestion })}
      </div>
      {can(user.role, 'checklist.sign') && (
        <div className="row wrap">
          <label>
            {t('goNoGo.note', { item: item.item })}{' '}
            <input value={note} onChange={(event) => setNote(event.target.value)} />
          </label>
          {SIGNS.map((status) => (
            <button
              key={status}
              type="button"
              onClick={() => void sign(status)}
              aria-label={`${t('goNoGo.sign', { status })}: ${t(`item.${item.item}`)}`}
            >
              {t('goNoGo.sign', { status })}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

/** Runbook §5: the automated criteria with evidence, the signed checklist, the decision, and Advance. */
export function GoNoGoPanel({ flagKey, onAdvanced }: { flagKey: string; onAdvanced: () => Promise<void> }) {
  const { t } = useI18n();
  const user = useUser();
  const [notice, setNotice] = useState<NoticeValue>(null);
  const [reason, setReason] = useState('');
  const decision = useLoad(async () => {
    try {
      return unwrap(await api.GET('/api/admin/beta-monitor/{key}/go-no-go', { params: { path: { key: flagKey } } }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) return null;
      throw error;
    }
  }, [flagKey]);
  const phases = useLoad(
    async () => unwrap(await api.GET('/api/admin/beta-monitor/{key}/phases', { params: { path: { key: flagKey } } })),
    [flagKey],
  );
  const data = decision.data;
  const items: Phase[] = phases.data?.items ?? [];
  const index = items.findIndex((phase) => phase.name === phases.data?.active);
  const next = index >= 0 ? items[index + 1] : undefined;
  const signed = async (value: NoticeValue) => {
    setNotice(value);
    await decision.reload();
  };
  const advance = async () => {
    const force = data?.decision !== 'GO' || (data?.holds.length ?? 0) > 0;
    try {
      const answer = unwrap(
        await api.POST('/api/admin/beta-monitor/{key}/advance', {
          params: { path: { key: flagKey } },
          body: { ...(force ? { force: true } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      );
      setNotice({ kind: 'ok', text: t('goNoGo.advanced', { phase: answer.to.name }) });
      await Promise.all([decision.reload(), phases.reload(), onAdvanced()]);
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    }
  };
  return (
    <section aria-labelledby="go-no-go-title" className="panel">
      <h2 id="go-no-go-title">{t('goNoGo.title')}</h2>
      <LoadError error={decision.error} />
      {data && (
        <>
          <p className="decision">
            <StatusChip status={data.decision} />{' '}
            {t('goNoGo.decision', { decision: t(`goNoGo.decision.${data.decision}`) })}
          </p>
          {data.reasons.length > 0 && (
            <details>
              <summary>{t('goNoGo.reasons')}</summary>
              <ul>
                {data.reasons.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </details>
          )}
          {data.holds.length > 0 && (
            <p className="notice notice-error">
              {t('holds.title')}: {data.holds.map((hold) => `${hold.code} (${hold.checkpointLabel})`).join(', ')}
            </p>
          )}
          <h3>{t('goNoGo.automated')}</h3>
          <ul className="criteria">
            {data.automated.map((criterion) => (
              <li key={criterion.code}>
                <StatusChip status={criterion.status} /> <strong>{t(`criterion.${criterion.code}`)}</strong>:{' '}
                {criterion.message}
              </li>
            ))}
          </ul>
          <h3>{t('goNoGo.checklist')}</h3>
          <ul className="checklist">
            {data.checklist.map((item) => (
              <ChecklistRow key={item.item} item={item} flagKey={flagKey} onSigned={signed} />
            ))}
          </ul>
          {can(user.role, 'phase.advance') &&
            (next ? (
              <div className="row wrap">
                <label>
                  {t('common.reason')} <input value={reason} onChange={(event) => setReason(event.target.value)} />
                </label>
                <ConfirmButton
                  label={
                    data.decision === 'GO' && data.holds.length === 0
                      ? t('goNoGo.advance', { phase: next.name })
                      : `${t('goNoGo.advance', { phase: next.name })} — ${t('goNoGo.advanceForce')}`
                  }
                  danger={data.decision !== 'GO' || data.holds.length > 0}
                  message={t('goNoGo.advanceConfirm', {
                    key: flagKey,
                    from: data.phase,
                    to: next.name,
                    enabled: String(next.expected.enabled),
                    rollout: next.expected.rolloutPercentage,
                    allowlist: next.expected.allowlistCount,
                  })}
                  onConfirm={advance}
                />
              </div>
            ) : (
              <p className="muted">{t('goNoGo.lastPhase')}</p>
            ))}
        </>
      )}
      <Notice value={notice} />
    </section>
  );
}
