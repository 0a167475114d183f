import type { ColumnType, Generated } from 'kysely';
import type { RepairCategory, RepairStatus } from '../../domain/campus-payments.js';
import type { SchoolBillKind, SchoolBillStatus } from '../../domain/school-bills.js';

/** Kysely table types of campus payments (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** 消费认证码: a single-use code the app shows for a minute; the canteen POS scans it. */
export interface CampusPaymentCodesTable {
  code: string;
  card_id: string;
  student_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** A canteen purchase, once per (terminal, the POS's own purchase id). */
export interface CampusPurchasesTable {
  id: string;
  terminal_id: string;
  pos_purchase_id: string;
  card_id: string;
  student_id: string;
  method: 'card' | 'payment_code';
  amount_fen: number;
  /** The purse's available balance right after this purchase: what the receipt prints, on every retry too. */
  balance_after_fen: number;
  pin_checked: boolean;
  merchant: string;
  ledger_transaction_id: string;
  at: Timestamp;
  /** Refunded once at most (migration 0025): the reversal, the purse's balance after it, who and why. */
  refunded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  refund_ledger_transaction_id: ColumnType<string | null, string | null | undefined, string | null>;
  refund_balance_after_fen: ColumnType<number | null, number | null | undefined, number | null>;
  refunded_by_role: ColumnType<'terminal' | 'school_admin' | 'operator' | null, 'terminal' | 'school_admin' | 'operator' | null | undefined, 'terminal' | 'school_admin' | 'operator' | null>;
  refunded_by_id: ColumnType<string | null, string | null | undefined, string | null>;
  refund_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A dorm room and its electricity meter. */
export interface CampusRoomsTable {
  id: string;
  school_id: string;
  building: string;
  room_no: string;
  meter_no: string;
  created_at: Timestamp;
}

/** 宿舍电费预缴: money for a room's meter; sent to the meter, never refunded. */
export interface CampusElectricityPurchasesTable {
  id: string;
  room_id: string;
  student_id: string;
  card_id: string;
  amount_fen: number;
  price_fen_per_kwh: number;
  /** kWh × 100 bought: what the meter is told to add. */
  kwh_centi: number;
  ledger_transaction_id: string;
  meter_status: 'queued' | 'delivered' | 'failed';
  /** Why the meter never took it (migration 0027). */
  meter_error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
  /** The meter that took the energy (migration 0030): the room's meter may since have been replaced. */
  delivered_meter_no: ColumnType<string | null, string | null | undefined, string | null>;
}


/** 网上报修: a fault a student reports, taken on and finished by the school's staff. */
export interface CampusRepairsTable {
  id: string;
  school_id: string;
  student_id: string;
  category: RepairCategory;
  location: string;
  description: string;
  status: RepairStatus;
  staff_note: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** What a venue is: a practice room (琴房预订) or a sports venue (预订场馆). */
export type VenueKind = 'piano_room' | 'sports_court';

/** A room or court of a university, booked by the hour. */
export interface CampusVenuesTable {
  id: string;
  school_id: string;
  kind: VenueKind;
  name: string;
  /** The 院系 whose students may book it; empty for the whole university. */
  colleges: Generated<string[]>;
  /** The 专业 (majors) whose students may book it too (migration 0051); with no colleges either, the whole university. */
  majors: Generated<string[]>;
  created_at: Timestamp;
}

/** 琴房预订: one hour of a room for one student (date in Beijing). */
export interface CampusBookingsTable {
  id: string;
  venue_id: string;
  student_id: string;
  date: string;
  hour: number;
  starts_at: Timestamp;
  status: 'booked' | 'cancelled';
  created_at: Timestamp;
  cancelled_at: Timestamp | null;
}

export type NetworkEndReason = 'signed_off' | 'no_balance' | 'replaced' | 'expired' | 'kicked';

/** One device's time on the campus network, once per (gateway, the gateway's own session id). */
export interface CampusNetworkSessionsTable {
  id: string;
  terminal_id: string;
  gateway_session_id: string;
  student_id: string;
  device_mac: string;
  started_at: Timestamp;
  /** Minutes online as the gateway last counted them (overrun included; see overrun_minutes). */
  minutes: ColumnType<number, number | undefined, number>;
  /** Minutes reported beyond the hours paid for (the gateway kept the device on too long): never billed. */
  overrun_minutes: ColumnType<number, number | undefined, number>;
  charged_fen: ColumnType<number, number | undefined, number>;
  /** When its paid time runs out unless the gateway reports again; null once ended. */
  online_until: Timestamp | null;
  ended_at: Timestamp | null;
  end_reason: NetworkEndReason | null;
}

/** What a student's month on the campus network was charged (at most the ¥40.00 cap). */
export interface CampusNetworkMonthsTable {
  student_id: string;
  month: string;
  charged_fen: ColumnType<number, number | undefined, number>;
}

/** One device's month: minutes used and hours bought. */
export interface CampusNetworkDeviceMonthsTable {
  student_id: string;
  month: string;
  device_mac: string;
  minutes: ColumnType<number, number | undefined, number>;
  paid_hours: ColumnType<number, number | undefined, number>;
}

/** 每日消费限额: what a child's campus card may spend at the canteen in a Beijing day, set by a bound parent. */
export interface CampusDailyLimitsTable {
  student_id: string;
  limit_fen: number;
  set_by_parent_id: string;
  updated_at: Timestamp;
}

/** A book of a university library (借阅图书, seed 004), by its barcode. */
export interface LibraryBooksTable {
  id: string;
  school_id: string;
  barcode: string;
  title: string;
  author: string | null;
  call_no: string | null;
  created_at: Timestamp;
}

/** A loan of a book to a student; returned at the library desk, a late return owing a fine. */
export interface LibraryLoansTable {
  id: string;
  book_id: string;
  student_id: string;
  borrowed_at: Timestamp;
  /** 'YYYY-MM-DD' (Beijing): due at the end of that day. */
  due_on: ColumnType<string, string, string>;
  renewals: ColumnType<number, number | undefined, number>;
  returned_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  returned_by_role: ColumnType<string | null, string | null | undefined, string | null>;
  returned_by_id: ColumnType<string | null, string | null | undefined, string | null>;
  fine_fen: ColumnType<number, number | undefined, number>;
  fine_paid_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  fine_ledger_transaction_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** 学费及重修费 (migration 0047): a university's bill to a student, paid once, from the campus card or by order. */
export interface SchoolBillsTable {
  id: string;
  school_id: string;
  student_id: string;
  kind: SchoolBillKind;
  academic_year: string;
  /** The course a retake fee is for; null for tuition. */
  course: string | null;
  amount_fen: number;
  due_date: string;
  status: SchoolBillStatus;
  /** The latest Alipay / WeChat Pay order for it (paid or not); null while none was asked for. */
  order_id: string | null;
  paid_via: 'order' | 'campus_card' | null;
  /** The purse's payment when paid from the campus card (an order's payment is the order's). */
  ledger_transaction_id: string | null;
  paid_at: Timestamp | null;
  cancel_reason: string | null;
  created_by_role: string;
  /** Null when issued from the command line. */
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The issue (one form, one file) it came with (migration 0050); null before then and for the demo's. */
  issue_id: string | null;
  /** When its student's family was texted about the issue (or found to have no bound parent); null while not yet. */
  notified_at: Timestamp | null;
}

export interface CampusTables {
  school_bills: SchoolBillsTable;
  library_books: LibraryBooksTable;
  library_loans: LibraryLoansTable;
  campus_daily_limits: CampusDailyLimitsTable;
  campus_network_sessions: CampusNetworkSessionsTable;
  campus_network_months: CampusNetworkMonthsTable;
  campus_network_device_months: CampusNetworkDeviceMonthsTable;
  campus_venues: CampusVenuesTable;
  campus_bookings: CampusBookingsTable;
  campus_repairs: CampusRepairsTable;
  campus_payment_codes: CampusPaymentCodesTable;
  campus_purchases: CampusPurchasesTable;
  campus_rooms: CampusRoomsTable;
  campus_electricity_purchases: CampusElectricityPurchasesTable;
}
