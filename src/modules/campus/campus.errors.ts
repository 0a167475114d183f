import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';
import '../identity/identity.errors.js';
import '../ledger/ledger.errors.js';
import '../transit/transit.errors.js';

registerErrors({
  CAMPUS_CARD_NOT_IN_USE: { status: 422, zh: '没有可用的校园卡', en: 'There is no campus card in use' },
  CAMPUS_CARD_NOT_USABLE: { status: 422, zh: '校园卡不是正常状态（已挂失、未激活或已停用），不能消费', en: 'The campus card is not in normal status (lost, not activated or out of use) and cannot pay' },
  CAMPUS_CARD_OTHER_SCHOOL: { status: 422, zh: '该卡不是本校校园卡，不能在此消费', en: 'This campus card belongs to another school and cannot pay here' },
  CAMPUS_PAYMENT_CODE_INVALID: { status: 422, zh: '付款码无效或已过期，请刷新后重试', en: 'The payment code is unknown, used or expired; refresh it and try again' },
  CAMPUS_PAYMENT_METHOD: { status: 400, zh: '请刷卡或出示付款码（二选一）', en: 'Give either a card number or a payment code' },
  CAMPUS_TERMINAL_KIND: { status: 403, zh: '该终端不能办理此业务', en: 'This kind of terminal cannot do that' },
  CAMPUS_PURCHASE_CONFLICT: { status: 409, zh: '该交易号已用于另一笔消费', en: 'This purchase id was already used for another purchase' },
  CAMPUS_DAILY_LIMIT: { status: 422, zh: '已达到家长设置的每日消费限额，今日不能再消费这么多', en: 'This would take the day past the daily limit a parent set' },
  DAILY_LIMIT_AMOUNT: { status: 400, zh: '每日限额须在 ¥1.00 至 ¥1,000.00 之间', en: 'The daily limit must be between ¥1.00 and ¥1,000.00' },
  DAILY_LIMIT_CAMPUS_ONLY: { status: 422, zh: '每日消费限额只适用于高校、职业院校学生的校园卡', en: 'A daily limit is for the campus card of a university or vocational college student' },
  DAILY_LIMIT_PARENT_ONLY: { status: 403, zh: '每日消费限额由绑定的家长设置', en: 'A bound parent sets the daily spending limit' },
  LIBRARY_BLOCKED: { status: 409, zh: '有逾期未还的图书或未缴的罚款，请先还书、缴清罚款再借', en: 'A book is overdue or a fine is unpaid: return it and pay first' },
  LIBRARY_LOAN_LIMIT: { status: 409, zh: '每人最多同时借阅 10 本图书', en: 'At most 10 books may be on loan at once' },
  LIBRARY_BOOK_UNKNOWN: { status: 404, zh: '本校图书馆没有这个条码的图书', en: 'The library has no book with that barcode' },
  LIBRARY_BOOK_ON_LOAN: { status: 409, zh: '这本书已被借出', en: 'That book is on loan already' },
  LIBRARY_LOAN_RETURNED: { status: 409, zh: '这本书已归还', en: 'That book has been returned' },
  LIBRARY_RENEWED_ALREADY: { status: 409, zh: '每次借阅只能续借一次', en: 'A loan can be renewed once' },
  LIBRARY_OVERDUE: { status: 409, zh: '图书已逾期，不能续借，请尽快归还', en: 'The book is overdue and cannot be renewed: return it soon' },
  LIBRARY_NO_FINE: { status: 422, zh: '没有需要缴纳的罚款', en: 'There is no fine to pay' },
  LIBRARY_NOT_ON_LOAN: { status: 409, zh: '这本书不在借出状态', en: 'That book is not on loan' },
  LIBRARY_BARCODE_TAKEN: { status: 409, zh: '该条码已登记', en: 'That barcode is registered already' },
  CONSUMPTION_PIN_REQUIRED: { status: 403, zh: '超过单笔消费限额，请输入消费密码', en: 'Over the per-purchase limit: enter the consumption password' },
  CONSUMPTION_PIN_WRONG: { status: 403, zh: '消费密码不正确', en: 'The consumption password is wrong' },
  CAMPUS_SCHOOL_INVALID: { status: 422, zh: '该学校不是高校或职业院校，或不存在', en: 'That school is no university or vocational college, or does not exist' },
  CAMPUS_NETWORK_ONLINE: { status: 409, zh: '请先将在线设备全部下线，再转回网费余额', en: 'Take every device offline first, then move the balance back' },
  CAMPUS_NETWORK_NOTHING_TO_RETURN: { status: 422, zh: '校园网账户没有余额', en: 'The network account has no balance' },
  CAMPUS_METER_TAKEN: { status: 409, zh: '该电表号已登记在其他房间', en: 'That meter belongs to another room' },
  CAMPUS_METER_NOT_FAILED: { status: 409, zh: '只有下发失败的电费可以重新下发', en: 'Only a purchase that failed to reach its meter can be sent again' },
  CAMPUS_SCHOOL_REQUIRED: { status: 400, zh: '请选择学校', en: 'Choose the school' },
  CAMPUS_ROOM_UNKNOWN: { status: 422, zh: '没有这个宿舍房间，或不是本校的房间', en: 'No such dorm room at your university' },
  CAMPUS_ROOM_TAKEN: { status: 409, zh: '该房间已登记，或电表号已被其他房间使用', en: 'The room is registered already, or the meter belongs to another room' },
  CAMPUS_ELECTRICITY_AMOUNT: { status: 400, zh: '电费金额须在 1 至 500 元之间', en: 'Electricity is bought for ¥1 to ¥500 at a time' },
  REPAIR_TRANSITION_INVALID: { status: 409, zh: '报修单当前状态不能进行此操作', en: 'The repair report cannot do that in its present status' },
  BOOKING_HOUR: { status: 422, zh: '琴房和场馆按整点预约，开放时间 8:00 至 22:00', en: 'Rooms and venues are booked by the hour, from 08:00 to 22:00' },
  BOOKING_TOO_LATE: { status: 422, zh: '该时段已开始或已过去', en: 'That hour has begun or passed' },
  BOOKING_TOO_EARLY: { status: 422, zh: '最多可预约 7 天内的时段', en: 'Rooms and venues can be booked at most 7 days ahead' },
  BOOKING_COLLEGE_ONLY: { status: 403, zh: '该场地仅供指定院系或专业的同学预约', en: 'Only students of the colleges or majors it is kept for may book this venue' },
  BOOKING_LIMIT: { status: 409, zh: '琴房、场馆每类每人最多同时持有 2 个未开始的预约', en: 'At most 2 bookings still to come per student, for practice rooms and for sports venues each' },
  BOOKING_TAKEN: { status: 409, zh: '该时段已被预约', en: 'That hour is booked already' },
  BOOKING_NOT_CANCELLABLE: { status: 409, zh: '预约已取消或已开始，不能取消', en: 'The booking is cancelled or has begun' },
  CAMPUS_VENUE_TAKEN: { status: 409, zh: '该房间或场馆已登记', en: 'That room or venue is registered already' },
  CAMPUS_NETWORK_DEVICES: { status: 409, zh: '已有 2 个终端在线，请先让其中一个下线', en: 'Two devices are on already: take one off first' },
  CAMPUS_NETWORK_BALANCE_LOW: { status: 422, zh: '网费余额不足以支付下一小时，请先为校园网充值', en: 'The network account cannot pay for the next hour: top it up first' },
  CAMPUS_NETWORK_MINUTES: { status: 400, zh: '上网时长必须是非负整数分钟', en: 'Minutes online must be a whole, non-negative number' },
  CAMPUS_NETWORK_SESSION_UNKNOWN: { status: 404, zh: '没有这个上网记录', en: 'No such network session' },
  CAMPUS_NETWORK_SESSION_CONFLICT: { status: 409, zh: '该会话号已用于另一个账号或终端', en: 'This session id was already used for another account or device' },
  CAMPUS_NETWORK_SESSION_ENDED: { status: 409, zh: '该终端已下线', en: 'That device is off already' },
  CAMPUS_NETWORK_TOP_UP_AMOUNT: { status: 400, zh: '校园网充值金额须在 1 至 200 元之间', en: 'The network account is topped up with ¥1 to ¥200 at a time' },
  CAMPUS_PURCHASE_UNKNOWN: { status: 404, zh: '没有这笔消费', en: 'No such purchase' },
  CAMPUS_PURCHASE_REFUNDED: { status: 409, zh: '这笔消费已退款', en: 'This purchase was refunded already' },
  CAMPUS_REFUND_NOT_TODAY: { status: 409, zh: '消费机只能撤销当天的消费，之前的请到校园卡服务中心办理退款', en: 'A POS cancels only today’s purchases; earlier ones are refunded at the campus card service centre' },
  CAMPUS_REFUND_CARD_CLOSED: { status: 409, zh: '该卡已退卡（或补办的新卡也已不能使用），余额已转出，这笔消费请到服务中心办理退款', en: 'The card was returned (or its replacement is no longer usable) and its balance moved on: the service centre refunds this purchase' },
  CAMPUS_LIMIT_INVALID: { status: 400, zh: '单笔限额须在 0 至 1000 元之间', en: 'The per-purchase limit must be between ¥0 and ¥1000' },
});

// Two students' gateway sign-ons with one session id race past the lookup (each holds only its own student's lock).
// 学费及重修费缴费 (school-bills.ts).
registerErrors({
  SCHOOL_BILL_NOT_UNPAID: { status: 409, zh: '该账单已缴清或已被学校撤销', en: 'The bill is paid already or was cancelled by the school' },
  SCHOOL_BILL_ORDER_OPEN: { status: 409, zh: '该账单有一笔待支付的订单：请先完成支付，或在“我的订单”中取消后再换一种方式缴费', en: 'An order for this bill is waiting for payment: pay it, or cancel it under My orders before paying another way' },
  SCHOOL_BILL_ORDER_UNSETTLED: { status: 409, zh: '上一笔缴费订单的结果还在确认中，请稍后再试', en: 'The result of the bill’s last order is still being confirmed; try again shortly' },
  SCHOOL_BILL_STUDENT_UNKNOWN: { status: 422, zh: '本校没有该学号的在读学生', en: 'No enrolled student of this school has that student number' },
  SCHOOL_BILL_DUPLICATE: { status: 409, zh: '该学生已有同一学年的同一缴费项目（撤销原账单后才能重新开具）', en: 'The student already has a bill for this item and year (cancel it first to issue a corrected one)' },
  SCHOOL_BILL_FIELDS: { status: 400, zh: '账单内容有误：学年须为“2026-2027”格式，重修费须填写课程名（学费不填），金额 ¥1.00–¥100,000.00，截止日期须为有效日期', en: 'The bill is malformed: the year as 2026-2027, a course for a retake fee (none for tuition), ¥1.00–¥100,000.00, and a real due date' },
  SCHOOL_BILL_DUE_PAST: { status: 422, zh: '截止日期已过：不能开具截止日期早于今天的账单，请核对截止日期', en: 'The due date has passed: a bill cannot be due before today; check the due date' },
  SCHOOL_BILL_FILE_INVALID: { status: 422, zh: '文件中有错误的行，未开具任何账单；请按提示修改后重新上传', en: 'Some rows of the file are wrong, and no bill was issued; correct them and upload again' },
  SCHOOL_BILL_FILE_COLUMNS: { status: 400, zh: '找不到表头：文件须有“学号、类别、学年、课程、金额、截止日期”几列', en: 'No header found: the file needs the columns 学号, 类别, 学年, 课程, 金额, 截止日期' },
  SCHOOL_BILL_FILE_TOO_LARGE: { status: 413, zh: '一次最多上传 5,000 张账单', en: 'At most 5,000 bills per file' },
});

registerConstraintErrors({
  school_bills_one_live_item: 'SCHOOL_BILL_DUPLICATE',
  campus_network_sessions_terminal_id_gateway_session_id_key: 'CAMPUS_NETWORK_SESSION_CONFLICT', campus_rooms_meter_no_key: 'CAMPUS_METER_TAKEN', library_books_school_id_barcode_key: 'LIBRARY_BARCODE_TAKEN', library_loans_open_book: 'LIBRARY_BOOK_ON_LOAN',
  // A daily limit being set as its parent's binding ends.
  campus_daily_limits_set_by_parent_id_student_id_fkey: 'BINDING_NOT_FOUND',
});
