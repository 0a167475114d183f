import type { Command } from 'commander';
import { isDomainError } from '../domain/errors.js';
import { formatYuan } from '../domain/money.js';
import { reconcileDay, storedReconciliation, type FindingKind, type ReconciliationReport } from '../modules/payments/reconcile.js';
import { withRuntime } from './runtime.js';

/** The findings' names in both languages, as the console shows them. */
const findingNames: Record<FindingKind, string> = {
  settled_by_reconciliation: '对账补记 booked by reconciliation',
  credited_without_gateway_payment: '已入账但渠道无付款 credited without a gateway payment',
  amount_mismatch: '金额不符 amount mismatch',
  gateway_unreachable: '渠道无法连接 gateway unreachable',
  refund_pending: '退款未完成 refund pending',
  notification_rejected: '通知被拒绝 notification rejected',
  unknown_trade: '渠道有交易但无此订单 gateway trade for an unknown order',
  refund_not_ours: '渠道退款非本系统发起 refund not made by Onecard (merchant portal)',
  refund_missing_from_bill: '本系统退款不在对账单中 our refund missing from the bill',
  refund_state_mismatch: '退款状态与渠道不符 refund state differs from the gateway\'s',
  bill_unavailable: '未取得对账单 no bill file, each order queried',
};

const money = (fen: number | null) => (fen === null ? '—' : formatYuan(fen));

/** A day's report as text: per gateway how it was compared, the totals and fees, then every finding. */
export function formatReconciliation(report: ReconciliationReport): string {
  const gateways = (['alipay', 'wechat'] as const).map((g) => {
    const t = report.totals[g];
    const source = t.source === 'bill' ? '对账单 bill file' : `逐笔查询 order queries${t.billUnavailable ? ` (${t.billUnavailable})` : ''}`;
    return `  ${g.padEnd(7)} ${source}\n          渠道已收 paid ${money(t.gatewayPaidFen)}  账务已记 booked ${money(t.ledgerBookedFen)}  渠道已退 refunded ${money(t.gatewayRefundedFen)}  手续费 fees ${money(t.feesFen)}`;
  });
  // `!` marks a finding someone must look into (the server's needsAttention).
  const findings = report.findings.map((f) => `  ${f.needsAttention ? '!' : ' '} [${f.gateway ?? '-'}] ${findingNames[f.kind]}  ${f.orderNo ?? '—'}  ${f.detail}`);
  return [
    `${report.date}  ${report.balanced ? '无差异 balanced' : '存在差异 differences need attention'}  (${report.orders} orders, run ${report.ranAt})`,
    ...gateways,
    `差异明细 findings: ${report.findings.length}`,
    ...findings,
  ].join('\n');
}

/** `onecard payments reconciliation <date> [--run]`: a Beijing day's report, stored or made now. */
export function registerPaymentCommands(program: Command): void {
  program.command('payments').description('payments: daily reconciliation with the gateways')
    .command('reconciliation')
    .description('show a Beijing day\'s reconciliation report; with --run, reconcile the day now (against the gateways\' bill files when they have them, else by querying each order); exits 1 when it is not balanced')
    .argument('<date>', 'the Beijing day, YYYY-MM-DD')
    .option('--run', 'reconcile the day now (replaces its stored report)')
    .action((date: string, options: { run?: boolean }) =>
      withRuntime(async ({ ctx }) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
          console.error(`not a date: ${date} (YYYY-MM-DD)`);
          process.exitCode = 2;
          return;
        }
        const report = await (options.run ? reconcileDay(ctx, date) : storedReconciliation(ctx, date)).catch((error: unknown) => {
          if (!isDomainError(error, 'RECONCILIATION_NOT_FOUND')) throw error;
          console.error(`${error.message} / ${error.messageEn}: ${date} (use --run)`);
          process.exitCode = 1;
          return null;
        });
        if (!report) return;
        console.log(formatReconciliation(report));
        if (!report.balanced) process.exitCode = 1;
      }),
    );
}
