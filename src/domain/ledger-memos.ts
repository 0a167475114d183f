/**
 * The English of the memos the code writes on ledger transactions (payments, campus, transit,
 * card services: each memo is written in Chinese, the official wording, and stored as is). The
 * statement gives both, so the English app shows no Chinese. Names that are data (a merchant, a
 * building, a bill's title set by the school) stay as they are inside the English text; a memo
 * not written by these rules has no English (null) and is shown as stored.
 */
const rules: readonly [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^充值 (\S+)$/, (m) => `Top-up ${m[1]}`],
  [/^校园网充值(?: (\S+))?$/, (m) => `Campus network top-up${m[1] ? ` ${m[1]}` : ''}`],
  [/^缴费 (\S+)$/, (m) => `Fee ${m[1]}`],
  [/^学费缴费 (\S+)$/, (m) => `Tuition and fees ${m[1]}`],
  [/^乘车 (.+)$/, (m) => `Rides ${m[1]}`],
  [/^消费 (.+)$/, (m) => `Purchase at ${m[1]}`],
  [/^退款 (.+)（补卡后退至新卡）$/, (m) => `Refund from ${m[1]} (to the replacement card)`],
  [/^退款 (.+)$/, (m) => `Refund from ${m[1]}`],
  [/^宿舍电费 (.+)$/, (m) => `Dorm electricity ${m[1]}`],
  [/^校园网 (\S+) (\S+) 第 (\d+) 小时$/, (m) => `Campus network ${m[1]} ${m[2]} hour ${m[3]}`],
  [/^校园网余额转回校园卡$/, () => 'Campus network balance moved back to the campus card'],
  [/^图书馆逾期罚款$/, () => 'Library overdue fine'],
  [/^补卡余额转移$/, () => 'Balance moved to the replacement card'],
  [/^校园卡补卡工本费$/, () => 'Campus card replacement fee'],
  [/^临时卡换发正式卡余额转移$/, () => 'Balance moved from the temporary card to the formal card'],
  [/^电子学生卡换机$/, () => 'E-card moved to a new phone'],
  [/^电子学生卡升级（(小升初|初升高)）$/, (m) => `E-card upgraded (${m[1] === '小升初' ? 'primary to junior high' : 'junior to senior high'})`],
  [/^订单 (\S+) 已关闭或已支付，款项待退回$/, (m) => `Order ${m[1]} was closed or already paid: the payment is being sent back`],
  [/^订单 (\S+) 退款$/, (m) => `Refund of order ${m[1]}`],
  [/^余额退款$/, () => 'Balance refund'],
  [/^原路退款已完成$/, () => 'Refunded to the original payment method'],
  [/^网点 (.+) 现金退款$/, (m) => `Cash refund at ${m[1]}`],
  [/^异常退款退至商户银行账户，待线下转账$/, () => 'Refund paid into the merchant bank account, to be transferred to the payer'],
  [/^线下转账退款 (.+)$/, (m) => `Refunded by bank transfer ${m[1]}`],
];

/** The English of a memo the code wrote, or null for one it does not know (a school bill's own title). */
export function memoInEnglish(memo: string | null): string | null {
  if (memo === null) return null;
  for (const [pattern, english] of rules) {
    const match = memo.match(pattern);
    if (match) return english(match);
  }
  return null;
}
