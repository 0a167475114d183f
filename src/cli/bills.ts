import type { Command } from 'commander';
import { isCampusStage } from '../domain/campus-payments.js';
import { isDomainError } from '../domain/errors.js';
import { formatYuan } from '../domain/money.js';
import { issueBillFile, readUploadedBills, type BillRowProblem } from '../modules/campus/school-bill-issue.js';
import { schoolForImport } from '../modules/roster/roster-schools.js';
import { fail } from '../platform/errors.js';
import { cliActor, readInputFile, withRuntime } from './runtime.js';

/**
 * `onecard bills import <file> --school <code>`: a university finance office's file of tuition and
 * retake-fee bills (学号, 类别, 学年, 课程, 金额, 截止日期; UTF-8 or GBK), as the console's 批量开具
 * issues it: all or nothing. Every bad row is printed on stdout and nothing is issued (exit 1).
 */
async function importBillsCommand(file: string, options: { school: string }): Promise<void> {
  const bytes = await readInputFile(file);
  if (!bytes) return;
  const issued = await withRuntime(async ({ ctx }) => {
    const school = await schoolForImport(ctx.db, { code: options.school });
    if (!isCampusStage(school.stage)) throw fail('CAMPUS_SCHOOL_INVALID', { school: options.school });
    const read = readUploadedBills(bytes);
    return ctx.db.transaction().execute((tx) => issueBillFile({ ...ctx, db: tx }, cliActor, school.id, read, null)).catch((error: unknown) => {
      if (!isDomainError(error, 'SCHOOL_BILL_FILE_INVALID')) throw error;
      const { problems, problemCount } = error.details as { problems: BillRowProblem[]; problemCount: number };
      for (const p of problems) console.log(`row ${p.row}  ${p.field}  ${p.code}`);
      console.log(`issued 0: ${problemCount} bad rows (${error.messageEn})`);
      process.exitCode = 1;
      return null;
    });
  });
  if (issued) console.log(`issued ${issued.issued} bills, ${formatYuan(issued.totalFen)} in all, to ${options.school}`);
}

export function registerBillCommands(program: Command): void {
  program
    .command('bills')
    .description("a university's tuition and retake-fee bills (学费缴费)")
    .command('import')
    .description('issue the bills of a CSV file (学号, 类别 学费/重修费, 学年, 课程, 金额 in yuan, 截止日期), all or nothing')
    .argument('<file>', 'the CSV, UTF-8 or GBK')
    .requiredOption('--school <code>', 'the university (the demo’s: BJ-U-1001)')
    .action(importBillsCommand);
}
