import { Alert } from 'antd';
import { fieldLabels, type RosterField } from '../../../../src/modules/roster/row-problems.js';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { rosterMessages } from './messages.js';

const fieldNames = (value: unknown, lang: Lang): string | null => {
  if (!Array.isArray(value) || value.length === 0) return null;
  return value
    .map((field: string) => (field in fieldLabels ? fieldLabels[field as RosterField][lang === 'en' ? 'en' : 'zh'] : field))
    .join(lang === 'en' ? ', ' : '、');
};

/** A whole-file refusal (no header, wrong encoding, not CSV…): the server's message, plus the columns it names. */
export function FileError({ error }: { error: unknown }) {
  const t = useMessages(rosterMessages);
  const { lang } = useLang();
  const details = error instanceof ApiError ? error.details : undefined;
  const missing = fieldNames(details?.missing, lang);
  const duplicated = fieldNames(details?.duplicated, lang);
  const line = typeof details?.line === 'number' ? details.line : null;
  const extra = [
    missing && fill(t.missingColumns, { columns: missing }),
    duplicated && fill(t.duplicatedColumns, { columns: duplicated }),
    line !== null && fill(t.csvLine, { line }),
  ].filter(Boolean);
  return (
    <Alert
      type="error"
      showIcon
      data-testid="roster-file-error"
      title={`${t.fileRefused}：${errorText(error, lang)}`}
      description={extra.length > 0 ? extra.map((text) => <div key={String(text)}>{text}</div>) : undefined}
      style={{ marginBottom: 16 }}
    />
  );
}
