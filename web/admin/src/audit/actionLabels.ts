import type { Lang } from '../../../shared/i18n.js';

/**
 * The audit log's actions in words, zh and en, grouped: the one table the console reads
 * (AuditLogPage). Every action the server writes has a row; test/unit/audit-action-labels.test.ts
 * reads the server's recordAudit calls and fails on one that has none, so a new action cannot
 * reach the log untranslated.
 */
export const auditGroups = {
  account: { zh: '账号与登录', en: 'Accounts' },
  family: { zh: '家长与提醒', en: 'Parents and alerts' },
  schools: { zh: '学校与学生', en: 'Schools and students' },
  settings: { zh: '日历、设置与公告', en: 'Calendar, settings, notices' },
  cards: { zh: '卡片', en: 'Cards' },
  ecards: { zh: '电子卡', en: 'E-cards' },
  fulfilment: { zh: '制卡与配送', en: 'Card making and delivery' },
  payments: { zh: '支付与退款', en: 'Payments and refunds' },
  ledger: { zh: '账务', en: 'Ledger' },
  campus: { zh: '校园服务', en: 'Campus services' },
  transit: { zh: '乘车与终端', en: 'Transit and terminals' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type AuditGroup = keyof typeof auditGroups;

type Row = readonly [group: AuditGroup, zh: string, en: string];

export const auditActions: Readonly<Record<string, Row>> = {
  // Accounts and sign-in
  'login.succeeded': ['account', '登录成功', 'Signed in'],
  'login.failed': ['account', '登录失败', 'Sign-in failed'],
  'password.changed': ['account', '修改密码', 'Password changed'],
  'password.reset': ['account', '重置密码', 'Password reset'],
  'own_password.failed': ['account', '原密码输入错误', 'Current password wrong'],
  'campus_password.changed': ['account', '修改校园卡查询密码', 'Campus query password changed'],
  'campus_password.reset': ['account', '重置校园卡查询密码', 'Campus query password reset'],
  'consumption_pin.changed': ['account', '修改消费密码', 'Consumption password changed'],
  'campus.query_password.failed': ['account', '查询密码输入错误', 'Query password wrong'],
  'campus.consumption_pin.failed': ['account', '消费密码输入错误', 'Consumption password wrong'],
  'account.data_exported': ['account', '导出个人数据', 'Personal data exported'],
  'education_id.recovered': ['account', '找回教育ID', 'Education ID recovered'],
  'consent.granted': ['account', '同意授权', 'Consent given'],
  'consent.revoked': ['account', '撤回授权', 'Consent withdrawn'],
  'photo.set': ['account', '设置照片', 'Photo set'],
  // Parents, children and their alerts
  'parent.bound': ['family', '绑定家长', 'Parent bound'],
  'parent.unbound': ['family', '解除家长绑定', 'Parent unbound'],
  'child.bound': ['family', '绑定子女', 'Child bound'],
  'balance_alert.set': ['family', '设置余额提醒', 'Balance alert set'],
  'balance_alert.removed': ['family', '取消余额提醒', 'Balance alert removed'],
  'spend_notice.set': ['family', '设置消费提醒', 'Spending notice set'],
  'spend_notice.removed': ['family', '取消消费提醒', 'Spending notice removed'],
  'campus.daily_limit.set': ['family', '设置每日消费限额', 'Daily limit set'],
  'campus.daily_limit.removed': ['family', '取消每日消费限额', 'Daily limit removed'],
  // Schools, students, staff, rosters, academics
  'school.created': ['schools', '新建学校', 'School created'],
  'school.service_point_changed': ['schools', '更改服务网点', 'Service point changed'],
  'class.created': ['schools', '新建班级', 'Class created'],
  'student.created': ['schools', '新增学生', 'Student added'],
  'student.corrected': ['schools', '更正学生信息', 'Student details corrected'],
  'student.updated': ['schools', '修改学生状态', 'Student updated'],
  'student.promoted': ['schools', '升级或调班', 'Student promoted or moved class'],
  'student.transferred': ['schools', '转学', 'Student transferred'],
  'roster.imported': ['schools', '导入名单', 'Roster imported'],
  'roster.import_failed': ['schools', '名单导入失败', 'Roster import failed'],
  'staff.created': ['schools', '新建工作人员', 'Staff member created'],
  'academic.term.saved': ['schools', '保存学期', 'Term saved'],
  'academic.timetable.uploaded': ['schools', '上传课表', 'Timetable uploaded'],
  'academic.grades.uploaded': ['schools', '上传成绩', 'Grades uploaded'],
  'academic.timetable.cleared': ['schools', '清空课表', 'Timetable cleared'],
  'academic.grades.cleared': ['schools', '清空成绩', 'Grades cleared'],
  // Calendar, settings, notices
  'calendar.day_edited': ['settings', '修改工作日历', 'Calendar day edited'],
  'calendar.year_opened': ['settings', '开放新年度日历', 'Calendar year opened'],
  'settings.payment_weekdays': ['settings', '修改缴费星期', 'Payment weekdays changed'],
  'settings.fulfilment_settlement_window': ['settings', '修改制卡结算时段', 'Card-making settlement window changed'],
  'notice.created': ['settings', '新建公告', 'Notice created'],
  'notice.edited': ['settings', '编辑公告', 'Notice edited'],
  'notice.published': ['settings', '发布公告', 'Notice published'],
  'notice.withdrawn': ['settings', '撤回公告', 'Notice withdrawn'],
  'demo.seeded': ['settings', '载入演示数据', 'Demo data loaded'],
  // Cards: status changes (card-status.ts) and card services
  'cards.issue': ['cards', '发卡', 'Card issued'],
  'cards.activate': ['cards', '激活', 'Activated'],
  'cards.report_loss': ['cards', '挂失', 'Reported lost'],
  'cards.unloss': ['cards', '解挂', 'Loss report cancelled'],
  'cards.suspend': ['cards', '停用', 'Suspended'],
  'cards.resume': ['cards', '恢复使用', 'Resumed'],
  'cards.supersede': ['cards', '被新卡替代', 'Superseded'],
  'cards.restore': ['cards', '恢复为正常', 'Restored'],
  'cards.replace': ['cards', '补卡（旧卡作废）', 'Replaced'],
  'cards.return': ['cards', '退卡', 'Returned'],
  'cards.close': ['cards', '销卡', 'Closed'],
  'card_services.extend': ['cards', '卡片延期', 'Card extended'],
  'card_services.extension_window.set': ['cards', '设置延期办理时间', 'Extension window set'],
  'card_services.return': ['cards', '退卡退款', 'Card returned and refunded'],
  'card_services.campus_replacement': ['cards', '自助补办校园卡', 'Campus card replaced at a kiosk'],
  'card_services.temporary_exchange': ['cards', '临时卡换正式卡', 'Temporary card exchanged'],
  // E-cards
  'ecards.k12_opened': ['ecards', '开通中小学电子卡', 'K-12 e-card opened'],
  'ecards.k12_upgraded': ['ecards', '升级电子学生卡', 'K-12 e-card upgraded'],
  'ecards.phone_moved': ['ecards', '电子卡更换手机', 'E-card moved to another phone'],
  'ecards.phone_support.updated': ['ecards', '更新支持机型', 'Supported phones updated'],
  'ecards.university_linked': ['ecards', '关联高校电子卡', 'University e-card linked'],
  'ecards.university_extended': ['ecards', '高校电子卡延期', 'University e-card extended'],
  'ecards.partner_added': ['ecards', '添加合作院校', 'Partner school added'],
  'ecards.partner_removed': ['ecards', '移除合作院校', 'Partner school removed'],
  // Card making, applications and delivery
  'fulfilment.application.applied': ['fulfilment', '提交补卡/卡贴申请', 'Application made'],
  'fulfilment.application.fee_order': ['fulfilment', '生成工本费订单', 'Fee order created'],
  'fulfilment.application.paid': ['fulfilment', '工本费已缴', 'Fee paid'],
  'fulfilment.application.in_production': ['fulfilment', '进入制卡', 'In production'],
  'fulfilment.application.exported': ['fulfilment', '已导出制卡', 'Exported for printing'],
  'fulfilment.application.produced': ['fulfilment', '制卡完成', 'Card made'],
  'fulfilment.application.dispatched': ['fulfilment', '已寄出', 'Dispatched'],
  'fulfilment.application.delivery_failed': ['fulfilment', '配送失败', 'Delivery failed'],
  'fulfilment.application.returned_to_centre': ['fulfilment', '退回卡务中心', 'Returned to the card centre'],
  'fulfilment.application.redispatched': ['fulfilment', '重新寄出', 'Sent again'],
  'fulfilment.application.delivered': ['fulfilment', '已送达', 'Delivered'],
  'fulfilment.application.picked_up': ['fulfilment', '已领卡', 'Picked up'],
  'fulfilment.application.balance_moved': ['fulfilment', '余额转入新卡', 'Balance moved to the new card'],
  'fulfilment.application.cancelled': ['fulfilment', '申请已取消', 'Application cancelled'],
  'fulfilment.application.voided': ['fulfilment', '首张卡作废', 'First card voided'],
  'fulfilment.batch.created': ['fulfilment', '新建制卡批次', 'Batch created'],
  'fulfilment.batch.exported': ['fulfilment', '导出制卡批次', 'Batch exported'],
  'fulfilment.batch.produced': ['fulfilment', '批次制卡完成', 'Batch made'],
  'fulfilment.batch.dispatched': ['fulfilment', '批次寄出', 'Batch dispatched'],
  'fulfilment.confirmation.opened': ['fulfilment', '开始制卡信息确认', 'Confirmation opened'],
  'fulfilment.confirmation.confirmed': ['fulfilment', '确认制卡信息', 'Card details confirmed'],
  'fulfilment.confirmation.reported': ['fulfilment', '报告制卡信息有误', 'Card details reported wrong'],
  'fulfilment.confirmation.fixed': ['fulfilment', '更正制卡信息', 'Card details fixed'],
  'fulfilment.confirmation.transferred': ['fulfilment', '制卡信息转到新学校', 'Confirmation moved to the new school'],
  'fulfilment.delivery.booked': ['fulfilment', '预约配送', 'Delivery booked'],
  'fulfilment.delivery.created': ['fulfilment', '快递已下单', 'Parcel booked'],
  'fulfilment.delivery.in_transit': ['fulfilment', '快递运输中', 'Parcel in transit'],
  'fulfilment.delivery.delivered': ['fulfilment', '快递已签收', 'Parcel delivered'],
  'fulfilment.delivery.failed': ['fulfilment', '快递派送失败', 'Parcel delivery failed'],
  'fulfilment.delivery.returned': ['fulfilment', '快递已退回', 'Parcel returned'],
  // Payments, refunds, invoices, withholding
  'payments.order.created': ['payments', '创建订单', 'Order created'],
  'payments.order.paying': ['payments', '发起支付', 'Payment started'],
  'payments.order.fulfilled': ['payments', '支付完成', 'Order paid'],
  'payments.order.cancelled': ['payments', '取消订单', 'Order cancelled'],
  'payments.order.expired': ['payments', '订单超时关闭', 'Order expired'],
  'payments.order.refunded': ['payments', '订单已退款', 'Order refunded'],
  'payments.order.trades_closed': ['payments', '网关交易已关闭', 'Gateway trades closed'],
  'payments.refund.requested': ['payments', '申请退款', 'Refund requested'],
  'payments.refund.succeeded': ['payments', '退款成功', 'Refund succeeded'],
  'payments.refund.failed_at_gateway': ['payments', '网关退款失败', 'Refund failed at the gateway'],
  'payments.refund.abnormal_applied': ['payments', '发起异常退款', 'Abnormal refund sent'],
  'payments.refund.abnormal_refused': ['payments', '微信支付拒绝异常退款', 'Abnormal refund refused by WeChat Pay'],
  'payments.refund.paid_to_merchant_bank': ['payments', '异常退款已退至商户银行账户', 'Abnormal refund paid into the merchant bank account'],
  'payments.refund.route_conflict': ['payments', '退款去向与发起方式不符（待核实，未记账）', 'Refund paid elsewhere than sent (not booked; check)'],
  'payments.refund.offline_paid': ['payments', '登记线下转账退款', 'Offline refund transfer recorded'],
  'payments.refund.rerequested': ['payments', '重新发起退款', 'Refund requested again'],
  'payments.balance_refund.requested': ['payments', '申请余额退款', 'Balance refund requested'],
  'payments.balance_refund.completed': ['payments', '余额退款完成', 'Balance refund paid out'],
  'payments.invoice.issued': ['payments', '开具发票', 'Invoice issued'],
  'payments.invoice.red_letter_issued': ['payments', '开具红字发票', 'Red-letter invoice issued'],
  'payments.agreement.signing': ['payments', '发起代扣签约', 'Withholding agreement started'],
  'payments.agreement.signed': ['payments', '代扣签约成功', 'Withholding agreement signed'],
  'payments.agreement.unsign_requested': ['payments', '申请解约', 'Unsigning requested'],
  'payments.agreement.unsign_queued': ['payments', '解约排队中', 'Unsigning queued'],
  'payments.agreement.ended': ['payments', '代扣已解约', 'Withholding agreement ended'],
  'payments.auto_top_up.set': ['payments', '设置自动充值', 'Auto top-up set'],
  'payments.auto_top_up.removed': ['payments', '取消自动充值', 'Auto top-up removed'],
  'payments.auto_top_up.charging': ['payments', '自动充值扣款', 'Auto top-up charging'],
  // Ledger
  'ledger.account.opened': ['ledger', '开立账户', 'Account opened'],
  'ledger.transaction.posted': ['ledger', '记账', 'Transaction posted'],
  'ledger.hold.created': ['ledger', '冻结金额', 'Hold placed'],
  'ledger.hold.posted': ['ledger', '冻结转扣款', 'Hold posted'],
  'ledger.hold.voided': ['ledger', '解除冻结', 'Hold released'],
  'ledger.hold.expired': ['ledger', '冻结到期解除', 'Hold expired'],
  // Campus services
  'campus.repair.reported': ['campus', '报修', 'Repair reported'],
  'campus.repair.accept': ['campus', '受理报修', 'Repair taken on'],
  'campus.repair.finish': ['campus', '报修已完成', 'Repair done'],
  'campus.repair.cancel': ['campus', '撤回报修', 'Repair withdrawn'],
  'campus.booking.made': ['campus', '预约琴房/场馆', 'Booking made'],
  'campus.booking.cancelled': ['campus', '取消预约', 'Booking cancelled'],
  'campus.electricity.bought': ['campus', '购买电费', 'Electricity bought'],
  'campus.electricity.delivered': ['campus', '电量已下发到电表', 'Electricity sent to the meter'],
  'campus.electricity.meter_failed': ['campus', '电表下发失败', 'Meter did not take it'],
  'campus.electricity.resent': ['campus', '重新下发电量', 'Electricity sent again'],
  'campus.library.book_added': ['campus', '新增馆藏', 'Book added'],
  'campus.library.borrowed': ['campus', '借书', 'Book borrowed'],
  'campus.library.renewed': ['campus', '续借', 'Loan renewed'],
  'campus.library.returned': ['campus', '还书', 'Book returned'],
  'campus.library.fines_paid': ['campus', '缴纳图书罚款', 'Library fines paid'],
  'campus.network.topped_up': ['campus', '网费充值', 'Network account topped up'],
  'campus.network.balance_returned': ['campus', '网费余额退回', 'Network balance returned'],
  'campus.network.signed_on': ['campus', '上网登录', 'Signed on to the network'],
  'campus.network.signed_off': ['campus', '上网下线', 'Signed off the network'],
  'campus.network.charged': ['campus', '上网计费', 'Network time charged'],
  'campus.network.session_ended': ['campus', '结束上网', 'Network session ended'],
  'campus.network.kicked': ['campus', '强制下线', 'Device signed off'],
  'campus.purchase': ['campus', '食堂消费', 'Canteen purchase'],
  'campus.purchase.refunded': ['campus', '食堂消费退款', 'Canteen purchase refunded'],
  'campus.purchase_limit.set': ['campus', '设置单笔消费限额', 'Per-purchase limit set'],
  'campus.room.added': ['campus', '新增宿舍', 'Dorm room added'],
  'campus.room.meter_changed': ['campus', '更换电表', 'Meter changed'],
  'campus.venue.added': ['campus', '新增琴房/场馆', 'Venue added'],
  'campus.venue.audience': ['campus', '设置场馆开放对象', 'Venue audience set'],
  'campus.bill.issued': ['campus', '开具学费账单', 'Bill issued'],
  'campus.bill.cancelled': ['campus', '撤销账单', 'Bill cancelled'],
  'campus.bill.order': ['campus', '账单生成支付订单', 'Bill payment order created'],
  'campus.bill.paid': ['campus', '账单已缴', 'Bill paid'],
  'campus.bill.paid_again': ['campus', '账单重复缴费', 'Bill paid twice'],
  // Transit and terminals
  'terminal.registered': ['transit', '登记终端', 'Terminal registered'],
  'transit.actions_withdrawn': ['transit', '撤回待写卡指令', 'Card actions withdrawn'],
  'transit.batch.settled': ['transit', '乘车批次结算', 'Trip batch settled'],
};

export interface AuditActionText {
  /** The action in words, or the code itself when the table has none (never blank). */
  label: string;
  group: string | null;
  known: boolean;
}

export function auditActionText(action: string, lang: Lang): AuditActionText {
  const row = auditActions[action];
  if (!row) return { label: action, group: null, known: false };
  const [group, zh, en] = row;
  return lang === 'en' ? { label: en, group: auditGroups[group].en, known: true } : { label: zh, group: auditGroups[group].zh, known: true };
}

/** The action filter's choices, group by group, each with its code. */
export function auditActionOptions(lang: Lang): { value: string; label: string }[] {
  return (Object.keys(auditGroups) as AuditGroup[]).flatMap((group) =>
    Object.entries(auditActions)
      .filter(([, row]) => row[0] === group)
      .map(([code]) => {
        const text = auditActionText(code, lang);
        return { value: code, label: `${text.group} · ${text.label}（${code}）` };
      }));
}
