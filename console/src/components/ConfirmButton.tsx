import { useId, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';

type Props = Readonly<{
  label: string;
  message: ReactNode;
  onConfirm: () => Promise<void> | void;
  disabled?: boolean;
  danger?: boolean;
  /** Shown in the dialog instead of the generic "Confirm". */
  confirmLabel?: string;
}>;

/** A button that asks first, in a modal dialog (native <dialog>: focus is trapped, Esc cancels). */
export function ConfirmButton({ label, message, onConfirm, disabled, danger, confirmLabel }: Props) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <p id={titleId}>{message}</p>
        <div className="row">
          <button type="button" onClick={() => dialog.current?.close()}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className={danger ? 'danger' : 'primary'}
            disabled={busy}
            onClick={() => void confirm()}
          >
            {confirmLabel ?? t('common.confirm')}
          </button>
        </div>
      </dialog>
    </>
  );
}
