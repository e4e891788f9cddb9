import { ApiError } from '../api/client';
import { useI18n, type Translate } from '../i18n/i18n';

/** A failed call in words: 403 names the missing permission, the rest the server's detail. */
export function describeError(t: Translate, error: unknown): string {
  if (error instanceof ApiError && error.status === 403) return t('common.forbidden', { detail: error.problem.detail });
  return t('common.error', { detail: error instanceof Error ? error.message : String(error) });
}

export type NoticeValue = Readonly<{ kind: 'ok' | 'error'; text: string }> | null;

/** The result of the last action, announced to screen readers. */
export function Notice({ value }: { value: NoticeValue }) {
  if (value === null) return null;
  return (
    <p role={value.kind === 'error' ? 'alert' : 'status'} className={`notice notice-${value.kind}`}>
      {value.text}
    </p>
  );
}

export function LoadError({ error }: { error: Error | null }) {
  const { t } = useI18n();
  if (error === null) return null;
  return (
    <p role="alert" className="notice notice-error">
      {describeError(t, error)}
    </p>
  );
}
