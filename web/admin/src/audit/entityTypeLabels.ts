import type { Lang } from '../../../shared/i18n.js';

/**
 * What an audit row is about (its entity type) in words, zh and en: the 对象 column of the
 * console's audit log (AuditLogPage). Every entity type the server writes has a row;
 * test/unit/audit-entity-type-labels.test.ts reads the server's `entityType: '…'` and fails on one
 * that has none, so a new kind of object cannot reach the log as a raw code.
 */
export const auditEntityTypes: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  // People and accounts
  account: ['账号', 'Account'],
  student: ['学生', 'Student'],
  staff_user: ['后台用户', 'Console user'],
  // Schools, calendar, settings
  school: ['学校', 'School'],
  roster_import: ['花名册导入', 'Roster import'],
  calendar_year: ['校历年度', 'Calendar year'],
  calendar_day: ['校历日', 'Calendar day'],
  setting: ['系统设置', 'Setting'],
  notice: ['公告', 'Notice'],
  system: ['系统', 'System'],
  // Cards and their making
  card: ['卡片', 'Card'],
  card_application: ['办卡申请', 'Card application'],
  card_confirmation: ['制卡信息确认', 'Card details confirmation'],
  card_extension_window: ['卡片延期窗口', 'Card extension window'],
  production_batch: ['制卡批次', 'Production batch'],
  delivery: ['配送单', 'Delivery'],
  ecard_phone_support: ['电子卡支持机型', 'E-card phone support'],
  // Payments and ledger
  payment_order: ['支付订单', 'Payment order'],
  payment_refund: ['支付退款', 'Payment refund'],
  payment_agreement: ['代扣协议', 'Withholding agreement'],
  payment_invoice: ['发票', 'Invoice'],
  balance_refund: ['余额退款', 'Balance refund'],
  ledger_account: ['账务账户', 'Ledger account'],
  ledger_transaction: ['账务交易', 'Ledger transaction'],
  ledger_hold: ['冻结金额', 'Hold'],
  // Campus services
  school_bill: ['学费账单', 'School bill'],
  campus_repair: ['报修单', 'Repair request'],
  campus_room: ['宿舍', 'Dorm room'],
  campus_electricity_purchase: ['电费购买', 'Electricity purchase'],
  campus_venue: ['琴房/场馆', 'Venue'],
  library_book: ['图书', 'Library book'],
  // Transit
  terminal: ['终端', 'Terminal'],
  transit_batch: ['乘车批次', 'Trip batch'],
};

/** The entity type in words, or the code itself when the table has none (never blank). */
export function auditEntityTypeText(entityType: string, lang: Lang): { label: string; known: boolean } {
  const row = auditEntityTypes[entityType];
  if (!row) return { label: entityType, known: false };
  return { label: lang === 'en' ? row[1] : row[0], known: true };
}
