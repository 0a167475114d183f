import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCodes, ensureAccount, postTransaction, type LedgerAccount } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { ManualClock } from '../../src/platform/clock.js';
import { type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { startCli, type CliHarness } from '../support/cli.js';

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const actor = systemActor;
let cli: CliHarness;
const onecard = (...args: string[]) => cli.onecard(...args);
const withDatabase = <T>(work: (handle: DatabaseHandle) => Promise<T>) => cli.withDatabase(work);

beforeAll(async () => {
  cli = await startCli();
});
afterAll(async () => cli.close());

describe('onecard ledger', () => {
  let purse: LedgerAccount;
  let clearing: LedgerAccount;

  it('check passes on a consistent ledger and balance shows an account', async () => {
    expect((await onecard('migrate')).code).toBe(0);
    await withDatabase(async ({ db }) => {
      purse = await ensureAccount(db, clock, { code: accountCodes.purse(newId()), type: 'purse', actor });
      clearing = await ensureAccount(db, clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor });
      const canteen = await ensureAccount(db, clock, { code: accountCodes.merchant('canteen'), type: 'merchant', actor });
      await postTransaction(db, clock, { idempotencyKey: 'cli-topup', type: 'top_up', postings: [{ accountId: clearing.id, debitFen: 5000 }, { accountId: purse.id, creditFen: 5000 }], actor });
      await postTransaction(db, clock, { idempotencyKey: 'cli-lunch', type: 'purchase', postings: [{ accountId: purse.id, debitFen: 1250 }, { accountId: canteen.id, creditFen: 1250 }], actor });
    });
    const check = await onecard('ledger', 'check');
    expect(check).toMatchObject({ code: 0, stdout: 'ledger ok: 2 transactions, 3 accounts, 4 entries\n' });
    const balance = await onecard('ledger', 'balance', purse.code);
    expect(balance.code).toBe(0);
    expect(balance.stdout).toContain(`${purse.code} (purse, ${purse.id})`);
    expect(balance.stdout).toMatch(/available\s+¥37\.50 {2}\(3750 fen\)/);
    const unknown = await onecard('ledger', 'balance', 'purse:nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('LEDGER_ACCOUNT_NOT_FOUND');
  }, 120_000);

  it('check fails with exit status 1 and names the culprits after the database is tampered with', async () => {
    const forgedId = newId();
    await withDatabase(async ({ db }) => {
      // Raw SQL that bypasses the ledger: the CHECK allows more credit, so only history can tell.
      await db.updateTable('ledger_accounts').set({ credits_posted_fen: 9000 }).where('id', '=', purse.id).execute();
      await db.transaction().execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await sql`insert into ledger_transactions (id, type, idempotency_key, request_hash, created_at, created_by) values (${forgedId}, 'adjustment', 'forged', 'x', now(), 'intruder')`.execute(tx);
        await sql`insert into ledger_postings (id, transaction_id, account_id, debit_fen) values (${newId()}, ${forgedId}, ${clearing.id}, 100)`.execute(tx);
      });
    });
    const check = await onecard('ledger', 'check');
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('');
    expect(check.stderr).toContain('ledger check FAILED: 3 problem(s)');
    expect(check.stderr).toContain(`transaction ${forgedId} is unbalanced: debits 100 fen, credits 0 fen, 1 postings`);
    expect(check.stderr).toContain(`account ${purse.code} (${purse.id}): creditsPostedFen is 9000 but its history says 5000`);
    expect(check.stderr).toContain(`account ${clearing.code} (${clearing.id}): debitsPostedFen is 5000 but its history says 5100`);
  }, 120_000);

  it('lists the ledger commands in the help', async () => {
    const help = await onecard('ledger', '--help');
    expect(help.stdout).toContain('check');
    expect(help.stdout).toContain('balance');
  });
});
