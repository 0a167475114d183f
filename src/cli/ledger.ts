import type { Command } from 'commander';
import { formatYuan } from '../domain/money.js';
import { balanceOf, checkLedger, describeViolation, findAccountByCode } from '../modules/ledger/ledger.js';
import { withRuntime } from './runtime.js';

/** `onecard ledger check` and `onecard ledger balance <accountCode>`. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('the double-entry ledger');

  ledger
    .command('check')
    .description('prove the ledger invariants on this database: balanced transactions, balances equal to their history, no broken floor; exits 1 and lists the culprits otherwise')
    .action(() =>
      withRuntime(async ({ ctx }) => {
        const { counts, violations } = await checkLedger(ctx.db);
        if (violations.length === 0) {
          console.log(`ledger ok: ${counts.transactions} transactions, ${counts.accounts} accounts, ${counts.entries} entries`);
          return;
        }
        console.error(`ledger check FAILED: ${violations.length} problem(s) in ${counts.transactions} transactions, ${counts.accounts} accounts, ${counts.entries} entries`);
        for (const violation of violations) console.error(`  ${describeViolation(violation)}`);
        process.exitCode = 1;
      }),
    );

  ledger
    .command('balance')
    .description('show an account balance (posted, pending, available) by its code, e.g. purse:<cardId> or clearing:alipay')
    .argument('<accountCode>', 'the account code')
    .action((accountCode: string) =>
      withRuntime(async ({ ctx }) => {
        const account = await findAccountByCode(ctx.db, accountCode);
        const balance = await balanceOf(ctx.db, account.id);
        const line = (label: string, fen: number) => `  ${label.padEnd(10)} ${formatYuan(fen).padStart(14)}  (${fen} fen)`;
        console.log([
          `${account.code} (${account.type}, ${account.id})`,
          line('posted', balance.postedFen),
          line('pending', balance.pendingFen),
          line('available', balance.availableFen),
          ...(account.type === 'purse' ? [line('floor', balance.floorFen)] : []),
        ].join('\n'));
      }),
    );
}

