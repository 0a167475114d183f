import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorBlock, Input, List, NoticeBar, SearchBar, Skeleton, Tag, Toast } from 'antd-mobile';
import { useState } from 'react';
import type { z } from 'zod';
import type { libraryBookSchema, libraryLoanSchema, libraryLoansSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useReportFailure } from '../ui/text.js';
import { libraryMessages } from './library-messages.js';
import './campus.css';

type Loans = z.infer<typeof libraryLoansSchema>;
type Loan = z.infer<typeof libraryLoanSchema>;
type Book = z.infer<typeof libraryBookSchema>;
const loansKey = ['campus', 'library', 'loans'] as const;
const barcodePattern = /^[0-9A-Za-z-]{4,32}$/;
const sixDigits = /^\d{6}$/;

/**
 * 借阅图书 (seed 004: "使用校园卡 APP 借阅图书"): borrow a book by its barcode, see the loans and
 * their due dates, renew once, pay late fines from the campus card, and search the catalogue.
 */
export function LibraryPage() {
  const t = useMessages(libraryMessages);
  const api = useApi();
  const { token } = useSession();
  const loans = useQuery({ queryKey: [...loansKey, token], queryFn: ({ signal }) => api.get<Loans>('/campus/library/loans', undefined, signal) });

  let body;
  if (loans.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (loans.isError) body = <LoadFailed error={loans.error} onRetry={() => void loans.refetch()} />;
  else {
    body = (
      <>
        {loans.data.finesOwedFen > 0 && <FinesSection owedFen={loans.data.finesOwedFen} />}
        <BorrowSection />
        <LoanList loans={loans.data} />
        <CatalogueSection />
      </>
    );
  }
  return (
    <SubPage title={t.libraryTitle} backTo="/">
      <p className="muted" style={{ fontSize: 13 }}>{t.libraryIntro}</p>
      {body}
    </SubPage>
  );
}

/** Refreshes the loans and the catalogue after a change. */
function useRefreshLoans() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['campus', 'library'] });
}

function FinesSection({ owedFen }: { owedFen: number }) {
  const t = useMessages(libraryMessages);
  const api = useApi();
  const reportFailure = useReportFailure();
  const refresh = useRefreshLoans();
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const pay = useIdempotentMutation({
    mutationFn: (queryPassword: string, idempotencyKey) => api.post<Loans>('/campus/library/fines/pay', { queryPassword }, { idempotencyKey }),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.finesPaid });
      setPassword('');
      await refresh();
    },
    onError: (error) => reportFailure(error),
  });
  const submit = () => {
    setTouched(true);
    if (sixDigits.test(password)) pay.mutate(password);
  };
  return (
    <div className="section" data-testid="library-fines">
      <NoticeBar color="error" content={fill(t.finesOwed, { amount: formatYuan(owedFen) })} wrap />
      <List mode="card">
        <List.Item title={t.queryPassword} description={touched && !sixDigits.test(password) ? <span className="form-error-text">{t.queryPasswordInvalid}</span> : undefined}>
          <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} value={password} onChange={setPassword} data-testid="library-fines-password" />
        </List.Item>
      </List>
      <Button block color="danger" loading={pay.isPending} onClick={submit} data-testid="library-fines-pay">{t.payFines} {formatYuan(owedFen)}</Button>
    </div>
  );
}

function BorrowSection() {
  const t = useMessages(libraryMessages);
  const api = useApi();
  const reportFailure = useReportFailure();
  const refresh = useRefreshLoans();
  const [barcode, setBarcode] = useState('');
  const [touched, setTouched] = useState(false);
  const borrow = useIdempotentMutation({
    mutationFn: (code: string, idempotencyKey) => api.post<Loan>('/campus/library/loans', { barcode: code }, { idempotencyKey }),
    onSuccess: async (loan) => {
      Toast.show({ icon: 'success', content: fill(t.borrowed, { title: loan.title, date: loan.dueOn }) });
      setBarcode('');
      setTouched(false);
      await refresh();
    },
    onError: (error) => reportFailure(error),
  });
  const valid = barcodePattern.test(barcode.trim());
  const submit = () => {
    setTouched(true);
    if (valid) borrow.mutate(barcode.trim());
  };
  return (
    <List header={t.borrowTitle} mode="card" data-testid="library-borrow">
      <List.Item
        description={touched && !valid ? <span className="form-error-text" data-testid="library-barcode-error">{t.barcodeInvalid}</span> : undefined}
        extra={<Button size="small" color="primary" loading={borrow.isPending} onClick={submit} data-testid="library-borrow-submit">{t.borrow}</Button>}
      >
        <Input maxLength={32} placeholder={t.barcodePlaceholder} aria-label={t.barcode} value={barcode} onChange={setBarcode} onEnterPress={submit} data-testid="library-barcode" />
      </List.Item>
    </List>
  );
}

function LoanList({ loans }: { loans: Loans }) {
  const t = useMessages(libraryMessages);
  const { lang } = useLang();
  const api = useApi();
  const reportFailure = useReportFailure();
  const refresh = useRefreshLoans();
  const renew = useIdempotentMutation({
    mutationFn: (loanId: string, idempotencyKey) => api.post<Loan>(`/campus/library/loans/${loanId}/renew`, undefined, { idempotencyKey }),
    onSuccess: async (loan) => {
      Toast.show({ icon: 'success', content: fill(t.renewedToast, { date: loan.dueOn }) });
      await refresh();
    },
    onError: (error) => reportFailure(error),
  });
  const header = fill(t.myLoans, { n: loans.onLoan, max: loans.maxLoans });
  if (loans.items.length === 0) return <List header={header} mode="card"><ErrorBlock status="empty" title={t.noLoans} description={null} data-testid="library-loans-empty" /></List>;
  return (
    <List header={header} mode="card" data-testid="library-loans">
      {loans.items.map((loan) => (
        <List.Item
          key={loan.id}
          data-testid="library-loan"
          data-state={loan.returnedAt ? 'returned' : loan.overdue ? 'overdue' : 'on_loan'}
          extra={loan.renewable ? <Button size="mini" fill="outline" loading={renew.isPending && renew.variables === loan.id} onClick={() => renew.mutate(loan.id)} data-testid="library-renew">{t.renew}</Button> : undefined}
          description={
            loan.returnedAt ? (
              <>
                {fill(t.returnedOn, { date: formatBeijingTime(loan.returnedAt, lang) })}
                {loan.fineFen > 0 && <span data-testid="library-loan-fine"> · {fill(t.fine, { amount: formatYuan(loan.fineFen) })}{loan.finePaid ? t.finePaid : ''}</span>}
              </>
            ) : (
              <span data-testid="library-loan-due">
                {fill(t.dueOn, { date: loan.dueOn })}
                {loan.overdue && <Tag color="danger" fill="outline" style={{ marginLeft: 6 }}>{t.overdue}</Tag>}
                {loan.renewals > 0 && <Tag color="default" fill="outline" style={{ marginLeft: 6 }}>{t.renewedTag}</Tag>}
              </span>
            )
          }
        >
          {loan.title}{loan.author ? ` · ${loan.author}` : ''}
        </List.Item>
      ))}
    </List>
  );
}

function CatalogueSection() {
  const t = useMessages(libraryMessages);
  const api = useApi();
  const { token } = useSession();
  const [q, setQ] = useState('');
  const books = useQuery({
    queryKey: ['campus', 'library', 'books', q, token],
    queryFn: async ({ signal }) => (await api.get<{ items: Book[] }>('/campus/library/books', { q }, signal)).items,
    enabled: q !== '',
  });
  let results = null;
  if (q !== '') {
    if (books.isPending) results = <Skeleton.Paragraph lineCount={3} animated />;
    else if (books.isError) results = <LoadFailed error={books.error} onRetry={() => void books.refetch()} />;
    else if (books.data.length === 0) results = <ErrorBlock status="empty" title={t.noBooks} description={null} data-testid="library-books-empty" />;
    else {
      results = (
        <List mode="card" data-testid="library-books">
          {books.data.map((b) => (
            <List.Item key={b.id} data-testid="library-book" description={`${b.author ?? ''}${b.callNo ? ` · ${b.callNo}` : ''} · ${b.barcode}`}
              extra={b.available ? <Tag color="success" fill="outline">{t.onShelf}</Tag> : <Tag color="default" fill="outline">{fill(t.onLoanUntil, { date: b.dueOn! })}</Tag>}>
              {b.title}
            </List.Item>
          ))}
        </List>
      );
    }
  }
  return (
    <div className="section" data-testid="library-catalogue">
      <List header={t.searchTitle} mode="card">
        <List.Item>
          <SearchBar placeholder={t.searchPlaceholder} onSearch={(value) => setQ(value.trim())} onClear={() => setQ('')} data-testid="library-search" />
        </List.Item>
      </List>
      {results}
    </div>
  );
}
