import { useI18n } from '../i18n/i18n';

/** A moment in the viewer's time zone; the UTC time on hover and for screen readers' title. */
export function Time({ iso }: { iso: string | null | undefined }) {
  const { language, t } = useI18n();
  if (!iso) return <span>—</span>;
  const date = new Date(iso);
  const local = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
  return (
    <time
      dateTime={iso}
      title={t('common.utc', {
        time: date
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z'),
      })}
    >
      {local}
    </time>
  );
}
