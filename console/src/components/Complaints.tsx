import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { can } from '../lib/permissions';
import { useUser } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { describeError, LoadError, Notice, type NoticeValue } from './Notice';
import { Time } from './Time';

export function Complaints({ flagKey }: { flagKey: string }) {
  const { t } = useI18n();
  const user = useUser();
  const list = useLoad(
    async () =>
      unwrap(await api.GET('/api/admin/beta-monitor/{key}/complaints', { params: { path: { key: flagKey } } })).items,
    [flagKey],
  );
  const [subjectId, setSubjectId] = useState('');
  const [severity, setSeverity] = useState<'critical' | 'minor'>('minor');
  const [summary, setSummary] = useState('');
  const [notice, setNotice] = useState<NoticeValue>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      unwrap(
        await api.POST('/api/admin/beta-monitor/{key}/complaints', {
          params: { path: { key: flagKey } },
          body: { subjectId, severity, summary },
        }),
      );
      setNotice({ kind: 'ok', text: t('complaints.recorded') });
      setSubjectId('');
      setSummary('');
      await list.reload();
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    }
  };
  return (
    <section aria-labelledby="complaints-title" className="panel">
      <h2 id="complaints-title">{t('complaints.title')}</h2>
      <LoadError error={list.error} />
      {(list.data ?? []).length === 0 ? (
        <p>{t('complaints.empty')}</p>
      ) : (
        <ul>
          {list.data!.map((complaint) => (
            <li key={complaint.id}>
              <Time iso={complaint.createdAt} /> — <code>{complaint.subjectId}</code>{' '}
              <span className={`chip chip-${complaint.severity === 'critical' ? 'red' : 'yellow'}`}>
                {t(`complaints.${complaint.severity}`)}
              </span>{' '}
              {complaint.summary} ({complaint.createdBy})
            </li>
          ))}
        </ul>
      )}
      {can(user.role, 'complaint.record') && (
        <form className="row wrap" onSubmit={(event) => void submit(event)}>
          <label>
            {t('complaints.subject')}{' '}
            <input required value={subjectId} onChange={(event) => setSubjectId(event.target.value)} />
          </label>
          <label>
            {t('complaints.severity')}{' '}
            <select value={severity} onChange={(event) => setSeverity(event.target.value as 'critical' | 'minor')}>
              <option value="minor">{t('complaints.minor')}</option>
              <option value="critical">{t('complaints.critical')}</option>
            </select>
          </label>
          <label>
            {t('complaints.summary')}{' '}
            <input required value={summary} onChange={(event) => setSummary(event.target.value)} />
          </label>
          <button type="submit">{t('complaints.record')}</button>
        </form>
      )}
      <Notice value={notice} />
    </section>
  );
}
