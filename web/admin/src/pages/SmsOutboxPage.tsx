import { Typography, type TableColumnsType } from 'antd';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { messages } from '../messages.js';
import { ServerTable } from '../ServerTable.js';
import { staffMessages } from '../staff/messages.js';
import type { SmsOutboxRow } from '../types.js';

/** Text messages the built-in SMS provider kept instead of sending (operators only); phones arrive masked. */
export function SmsOutboxPage() {
  const t = useMessages(staffMessages);
  const common = useMessages(messages);
  const { lang } = useLang();

  const columns: TableColumnsType<SmsOutboxRow> = [
    { title: t.sentAt, dataIndex: 'createdAt', width: 190, render: (at: string) => formatBeijingTime(at, lang) },
    { title: t.phone, dataIndex: 'phone', width: 140 },
    { title: t.body, dataIndex: 'body', width: 560, render: (body: string) => <Typography.Text style={{ whiteSpace: 'normal' }}>{body}</Typography.Text> },
    { title: t.provider, dataIndex: 'provider', width: 100 },
  ];
  return (
    <>
      <Typography.Paragraph type="secondary">{t.smsNote}</Typography.Paragraph>
      <ServerTable<SmsOutboxRow> testId="sms-table" title={common.smsOutbox} path="/admin/sms-outbox" emptyText={t.noSms} columns={columns} />
    </>
  );
}
