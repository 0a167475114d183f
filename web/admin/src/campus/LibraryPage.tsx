import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Space, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import { formatYuan } from '../../../../src/domain/money.js';
import type { adminLibraryBookSchema, libraryReturnSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { fill } from '../payments/messages.js';
import { ServerTable } from '../ServerTable.js';
import { libraryAdminMessages } from './library-messages.js';
import { SchoolScoped } from './SchoolScoped.js';

type Book = z.infer<typeof adminLibraryBookSchema>;
type Returned = z.infer<typeof libraryReturnSchema>;
const booksPath = '/admin/campus/library/books';
const barcodeRule = { pattern: /^[0-9A-Za-z-]{4,32}$/ };

/**
 * 图书借阅 (借阅图书, seed 004): the library desk of a university. Books handed back are returned
 * by barcode (a late one is fined, paid by the student in the app); the catalogue shows who has
 * each book (masked) and what is overdue, and takes new books. A card manager works on their own
 * school; an operator picks one.
 */
export function LibraryPage() {
  return (
    <SchoolScoped>
      {(schoolId) => (
        <>
          <ReturnDesk schoolId={schoolId} />
          <Catalogue schoolId={schoolId} />
        </>
      )}
    </SchoolScoped>
  );
}

function ReturnDesk({ schoolId }: { schoolId: string }) {
  const t = useMessages(libraryAdminMessages);
  const { lang } = useLang();
  const { mutate } = useAdminApi();
  const client = useQueryClient();
  const [form] = Form.useForm<{ barcode: string }>();
  const [last, setLast] = useState<Returned | null>(null);
  const giveBack = useIdempotentMutation({
    mutationFn: (barcode: string, idempotencyKey) => mutate<Returned>('POST', '/admin/campus/library/returns', { schoolId, barcode }, idempotencyKey),
    onSuccess: async (returned) => {
      setLast(returned);
      form.resetFields();
      await client.invalidateQueries({ queryKey: [booksPath] });
    },
    onError: () => setLast(null),
  });
  const vars = last && { title: last.title, borrower: last.borrowerNameMasked, due: last.dueOn, days: last.daysLate, fine: formatYuan(last.fineFen) };
  return (
    <Card title={t.returnDesk} data-testid="library-return-desk">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <span className="muted">{t.returnHelp}</span>
        <Form form={form} layout="inline" onFinish={(v) => giveBack.mutate(v.barcode.trim())}>
          <Form.Item name="barcode" label={t.barcode} rules={[{ required: true, message: t.required }, { ...barcodeRule, message: t.barcodeInvalid }]}>
            <Input autoFocus maxLength={32} style={{ width: 240 }} data-testid="library-return-barcode" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={giveBack.isPending} data-testid="library-return-submit">{t.returnBook}</Button>
        </Form>
        {giveBack.isError && <Alert type="error" showIcon title={errorText(giveBack.error, lang)} data-testid="library-return-error" />}
        {vars && (
          <Alert type={last.fineFen > 0 ? 'warning' : 'success'} showIcon data-testid="library-return-result"
            title={fill(last.fineFen > 0 ? t.returnedLate : t.returnedOnTime, vars)} />
        )}
      </Space>
    </Card>
  );
}

function Catalogue({ schoolId }: { schoolId: string }) {
  const t = useMessages(libraryAdminMessages);
  const { lang } = useLang();
  const { mutate } = useAdminApi();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ barcode: string; title: string; author?: string; callNo?: string }>();
  const add = useIdempotentMutation({
    mutationFn: (body: { barcode: string; title: string; author?: string; callNo?: string }, idempotencyKey) => mutate<Book>('POST', booksPath, { schoolId, ...body }, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.added);
      form.resetFields();
      await client.invalidateQueries({ queryKey: [booksPath] });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const columns: TableColumnsType<Book> = [
    { title: t.barcode, dataIndex: 'barcode', render: (code: string) => <span className="mono">{code}</span> },
    { title: t.title, dataIndex: 'title' },
    { title: t.author, dataIndex: 'author', render: (a: string | null) => a ?? '—' },
    { title: t.callNo, dataIndex: 'callNo', render: (c: string | null) => c ?? '—' },
    {
      title: t.state, key: 'state',
      render: (_, b) => b.available
        ? <Tag color="green" data-testid="library-book-state">{t.onShelf}</Tag>
        : <Tag color={b.overdue ? 'red' : 'blue'} data-testid="library-book-state">{b.overdue ? `${t.overdue} · ` : ''}{fill(t.onLoan, { due: b.dueOn ?? '' })}</Tag>,
    },
    { title: t.borrower, dataIndex: 'borrowerNameMasked', render: (name: string | null) => name ?? '—' },
  ];
  const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  return (
    <Card title={t.catalogue}>
      <Form form={form} layout="inline" style={{ marginBottom: 16 }} data-testid="library-book-form"
        onFinish={(v) => add.mutate({ barcode: v.barcode.trim(), title: v.title.trim(), author: optional(v.author), callNo: optional(v.callNo) })}>
        <Form.Item name="barcode" rules={[{ required: true, message: t.required }, { ...barcodeRule, message: t.barcodeInvalid }]}>
          <Input placeholder={t.barcode} maxLength={32} data-testid="library-book-barcode" />
        </Form.Item>
        <Form.Item name="title" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input placeholder={t.title} maxLength={200} data-testid="library-book-title" />
        </Form.Item>
        <Form.Item name="author"><Input placeholder={t.author} maxLength={100} data-testid="library-book-author" /></Form.Item>
        <Form.Item name="callNo"><Input placeholder={t.callNo} maxLength={40} /></Form.Item>
        <Button htmlType="submit" loading={add.isPending} data-testid="library-book-add">{t.addBook}</Button>
      </Form>
      <ServerTable<Book>
        testId="library-books-table" title={null} path={booksPath} query={{ schoolId }} emptyText={t.noBooks} columns={columns}
        filterParam="q" filterPlaceholder={t.searchBooks} filterMaxLength={50}
      />
    </Card>
  );
}
