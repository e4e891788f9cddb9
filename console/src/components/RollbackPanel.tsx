import { useState } from 'react';
import { api, unwrap, type Flag, type RollbackResult } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { masterSwitchVariable } from '../lib/monitor';
import { can } from '../lib/permissions';
import { useUser } from '../lib/session';
import { ConfirmButton } from './ConfirmButton';
import { CopyButton } from './CopyButton';
import { describeError, Notice, type NoticeValue } from './Notice';

/** Runbook §4: Level 1 buttons with a required reason and a verification; Levels 2 and 3 as instructions. */
export function RollbackPanel({ flag, onDone }: { flag: Flag; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const user = useUser();
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<RollbackResult | null>(null);
  const [notice, setNotice] = useState<NoticeValue>(null);
  const run = async (mode: 'disable' | 'clear_allowlist') => {
    try {
      const answer = unwrap(
        await api.POST('/api/admin/beta-monitor/{key}/rollback', {
          params: { path: { key: flag.key } },
          body: { level: 1, mode, reason: reason.trim() },
        }),
      );
      setResult(answer);
      setNotice(null);
      setReason('');
      await onDone();
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    }
  };
  const variable = `${masterSwitchVariable(flag.key)}=false`;
  const ready = reason.trim().length > 0;
  return (
    <section aria-labelledby="rollback-title" className="panel">
      <h2 id="rollback-title">{t('rollback.title')}</h2>
      <h3>{t('rollback.level1')}</h3>
      {can(user.role, 'rollback.level1') ? (
        <div className="stack">
          <label>
            {t('common.reasonRequired')}{' '}
            <input required value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <div className="row wrap">
            <ConfirmButton
              danger
              disabled={!ready}
              label={t('rollback.disable')}
              message={t('rollback.confirmDisable', { key: flag.key, reason })}
              onConfirm={() => run('disable')}
            />
            <ConfirmButton
              danger
              disabled={!ready}
              label={t('rollback.clear')}
              message={t('rollback.confirmClear', { key: flag.key, count: flag.allowlistCount, reason })}
              onConfirm={() => run('clear_allowlist')}
            />
          </div>
        </div>
      ) : (
        <p className="muted">{t('common.viewOnly')}</p>
      )}
      <Notice value={notice} />
      {result && (
        <div role="status" className={`notice ${result.effective ? 'notice-ok' : 'notice-error'}`}>
          <p>
            <strong>{result.effective ? `✓ ${t('rollback.verified')}` : `✗ ${t('rollback.notVerified')}`}</strong>
          </p>
          <ul>
            {result.probes.map((probe) => (
              <li key={probe.subjectId}>
                {t('rollback.probe', {
                  subject: probe.subjectId,
                  state: probe.enabled ? 'ON' : 'OFF',
                  reason: probe.reason,
                  version: probe.version ?? '—',
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
      <h3>{t('rollback.level2')}</h3>
      <p>{t('rollback.level2Help')}</p>
      <p className="row">
        <code className="copyable">{variable}</code> <CopyButton text={variable} />
      </p>
      <h3>{t('rollback.level3')}</h3>
      <p>{t('rollback.level3Help')}</p>
    </section>
  );
}
