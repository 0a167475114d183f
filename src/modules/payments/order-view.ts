import { maskCardNo, maskName } from '../../domain/masking.js';
import type { Clock } from '../../platform/clock.js';
import { autoTopUpCreator, isOpen, isPayableByHand, orderNameInEnglish } from './order-rules.js';
import type { OrderWithStudent } from './payments.repository.js';
import type { GatewayName, OrderItem, OrderKind, OrderStatus } from './payments.tables.js';

/** An order as the app shows it (seed 000's 补卡缴费确认 screen), the student's name masked. */
export interface OrderView {
  id: string;
  orderNo: string;
  kind: OrderKind;
  /** Placed by 自动充值 (charged through the parent's withholding agreement). */
  autoTopUp: boolean;
  studentId: string;
  /** The card a top-up fills; null for fees. */
  cardId: string | null;
  studentName: string;
  /** The student's school and class, and the card's masked number: what tells siblings' orders apart. */
  holder: { schoolName: string | null; grade: number | null; classNo: string | null };
  cardNoMasked: string | null;
  status: OrderStatus;
  /** Waiting for payment and not yet past its time limit: the app offers 继续支付 / 取消. */
  pending: boolean;
  /** An auto top-up's charge still waiting for Alipay's answer (past the time limit too, until the expiry job hears from Alipay): 扣款中, nothing for the family to do. */
  charging: boolean;
  /** 项目状态 of a fee order (seed 000: 已购买补卡申请): where the application it pays for stands; null for other orders. */
  projectStatus: { zh: string; en: string } | null;
  amountFen: number;
  refundedFen: number;
  /** Payments the order could not take (paid after it closed, twice, or for a card no longer in use), sent back through the gateway. */
  lateRefundFen: number;
  /** nameEn, projectNameEn: the English of the names the code gives (null for a name that is data, such as a bill's title). */
  item: OrderItem & { nameEn: string | null; projectNameEn: string | null };
  gateway: GatewayName | null;
  gatewayTradeNo: string | null;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
  closedAt: string | null;
}

/** The fee sheet's 项目状态: the replacement applied for and waiting for its fee, paid and on its way, or withdrawn. */
function projectStatusOf(applicationStatus: string | null): OrderView['projectStatus'] {
  if (applicationStatus === null) return null;
  if (applicationStatus === 'awaiting_payment') return { zh: '已购买补卡申请', en: 'Replacement applied for' };
  if (applicationStatus === 'cancelled') return { zh: '补卡申请已取消', en: 'Application cancelled' };
  return { zh: '补卡申请已缴费', en: 'Application paid' };
}

const withinTimeLimit = (row: { expires_at: Date }, clock: Clock) => row.expires_at.getTime() > clock.now().getTime();

export function orderView(row: OrderWithStudent, clock: Clock): OrderView {
  return {
    id: row.id,
    orderNo: row.order_no,
    kind: row.kind,
    autoTopUp: row.created_by_role === autoTopUpCreator,
    studentId: row.student_id,
    cardId: row.card_id,
    studentName: maskName(row.student_name),
    holder: { schoolName: row.holder_school_name ?? null, grade: row.holder_grade ?? null, classNo: row.holder_class_no ?? null },
    cardNoMasked: row.order_card_no ? maskCardNo(row.order_card_no) : null,
    status: row.status,
    pending: isPayableByHand(row) && withinTimeLimit(row, clock),
    charging: row.created_by_role === autoTopUpCreator && isOpen(row.status),
    projectStatus: projectStatusOf(row.application_status),
    amountFen: row.amount_fen,
    refundedFen: row.refunded_fen,
    lateRefundFen: Number(row.late_refund_fen),
    item: { ...row.item, nameEn: orderNameInEnglish(row.item.name), projectNameEn: orderNameInEnglish(row.item.projectName) },
    gateway: row.gateway,
    gatewayTradeNo: row.gateway_trade_no,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    paidAt: row.paid_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}
