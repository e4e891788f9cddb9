import { useState } from 'react';
import { useI18n } from '../i18n/i18n';

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text).catch(() => undefined);
    setCopied(true);
  };
  return (
    <button type="button" onClick={() => void copy()} aria-label={label}>
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}
