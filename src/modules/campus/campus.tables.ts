import type { ColumnType } from 'kysely';
import type { RepairCategory, RepairStatus } from '../../domain/campus-payments.js';

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
  meter_status: 'queued' | 'delivered';
  created_at: Timestamp;
  delivered_at: Timestamp | null;
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

/** A bookable room (today: practice pianos) of a university. */
export interface CampusVenuesTable {
  id: string;
  school_id: string;
  kind: 'piano_room';
  name: string;
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

export interface CampusTables {
  campus_venues: CampusVenuesTable;
  campus_bookings: CampusBookingsTable;
  campus_repairs: CampusRepairsTable;
  campus_payment_codes: CampusPaymentCodesTable;
  campus_purchases: CampusPurchasesTable;
  campus_rooms: CampusRoomsTable;
  campus_electricity_purchases: CampusElectricityPurchasesTable;
}
