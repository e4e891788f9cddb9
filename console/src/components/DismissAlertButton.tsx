import { useId, useRef, useState } from 'react';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { describeError, Notice, type NoticeValue } from './Notice';

export type DismissTarget = Readonly<{ flagKey: string; checkpointId: string; onDone: () => Promise<void> }>;

/**
 * Dismisses a checkpoint's alerts of one code (SUPER_ADMIN), after asking why in a modal dialog.
 * The alert stays in the history, marked dismissed; the hold it caused is released.
 */
export function DismissAlertButton({ target, code }: { target: DismissTarget; code: string }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<NoticeValue>(null);
  const titleId = useId();
  const reasonId = useId();
  const submit = async () => {
    setBusy(true);
    setNotice(null);
    try {
      unwrap(
        await api.POST('/api/admin/beta-monitor/{key}/checkpoints/{id}/alerts/{code}/dismiss', {
          params: { path: { key: target.flagKey, id: target.checkpointId, code } },
          body: { reason: reason.trim() },
        }),
      );
      dialog.current?.close();
      setReason('');
      await target.onDone();
    } catch (error) {
      setNotice({ kind: 'error', text: describeError(t, error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="small" onClick={() => dialog.current?.showModal()}>
        {t('alerts.dismiss', { code })}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <p id={titleId}>{t('alerts.dismissPrompt', { code })}</p>
          <label htmlFor={reasonId}>{t('alerts.dismissReason', { code })}</label>
          <textarea id={reasonId} required value={reason} onChange={(event) => setReason(event.target.value)} />
          <Notice value={notice} />
          <div className="row">
            <button type="button" onClick={() => dialog.current?.close()}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="primary" disabled={busy || reason.trim() === ''}>
              {t('alerts.dismissConfirm')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
