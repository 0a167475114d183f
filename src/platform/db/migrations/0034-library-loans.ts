import { sql, type Kysely } from 'kysely';

/**
 * 借阅图书 (seed 004): a university library's books and the loans its students make through the
 * campus card app. A book is on one open loan at most (the partial unique index: two students
 * scanning one book at once cannot both borrow it). A late return owes a fine, paid later from
 * the campus card in one ledger transaction, which the loan then names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table library_books (
      id uuid primary key,
      school_id uuid not null references schools(id),
      barcode text not null check (barcode ~ '^[0-9A-Za-z-]{4,32}$'),
      title text not null check (length(title) between 1 and 200),
      author text check (length(author) <= 100),
      call_no text check (length(call_no) <= 40),
      created_at timestamptz not null,
      unique (school_id, barcode)
    );
    create table library_loans (
      id uuid primary key,
      book_id uuid not null references library_books(id),
      student_id uuid not null references students(id),
      borrowed_at timestamptz not null,
      due_on date not null,
      renewals int not null default 0 check (renewals between 0 and 1),
      returned_at timestamptz,
      returned_by_role text,
      returned_by_id uuid,
      fine_fen int not null default 0 check (fine_fen between 0 and 2000),
      fine_paid_at timestamptz,
      fine_ledger_transaction_id uuid,
      check ((returned_at is null) = (returned_by_role is null)),
      check (fine_fen = 0 or returned_at is not null),
      check ((fine_paid_at is null) = (fine_ledger_transaction_id is null)),
      check (fine_paid_at is null or fine_fen > 0)
    );
    create unique index library_loans_open_book on library_loans (book_id) where returned_at is null;
    create index library_loans_student on library_loans (student_id, borrowed_at desc);
  `.execute(db);
}
