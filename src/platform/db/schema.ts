import type { CardServicesTables } from '../../modules/card-services/card-services.tables.js';
import type { CardsTables } from '../../modules/cards/cards.tables.js';
import type { ECardsTables } from '../../modules/ecards/ecards.tables.js';
import type { FulfilmentTables } from '../../modules/fulfilment/fulfilment.tables.js';
import type { LedgerTables } from '../../modules/ledger/ledger.tables.js';
import type { PaymentsTables } from '../../modules/payments/payments.tables.js';
import type { AutoTopUpTables } from '../../modules/payments/auto-top-up.tables.js';
import type { TransitTables } from '../../modules/transit/transit.tables.js';
import type { CampusTables } from '../../modules/campus/campus.tables.js';
import type { NoticesTables } from '../../modules/notices/notices.tables.js';
import type { AcademicsTables } from '../../modules/academics/academics.tables.js';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { StudyLevel } from '../../domain/academic-access.js';

/** Timestamps are written as Date (or ISO strings) and always read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** JSON columns: written as serialised text, read back parsed. */
type Json<T = unknown> = ColumnType<T, string, string>;

export type SchoolStage = 'primary' | 'middle' | 'high' | 'university' | 'vocational';
export type StaffRole = 'operator' | 'school_admin' | 'kiosk';
export type Role = 'student' | 'parent' | 'school_admin' | 'operator' | 'kiosk' | 'terminal';
export type LoginKind = 'student' | 'parent' | 'campus' | 'staff' | 'terminal';
export type EnrolmentStatus = 'enrolled' | 'graduated' | 'transferred' | 'left';

export interface SchoolsTable {
  id: string;
  code: string;
  name: string;
  stage: SchoolStage;
  district: string | null;
  /** The card face theme of the school's cards; null: the stage's default face. */
  card_theme: ColumnType<string | null, string | null | undefined, string | null>;
  /** 服务点: where the university's self-service kiosk is (migration 0048); null when not set. */
  service_point: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface ClassesTable {
  id: string;
  school_id: string;
  grade: number;
  class_no: string;
  created_at: CreatedAt;
}

export interface StudentsTable {
  id: string;
  education_id: string;
  name: string;
  gender: 'M' | 'F';
  birth_date: string;
  id_number: string;
  school_id: string;
  class_id: string | null;
  stage: SchoolStage;
  status: Generated<EnrolmentStatus>;
  salaried: Generated<boolean>;
  /** 院系: a university student's college, from the roster; null when not known (and at K-12 schools). */
  college: string | null;
  /** 专业: a university student's major, from the roster or the console (migration 0051); null when not known (and at K-12 schools). */
  major: string | null;
  /** 培养层次 and 学习形式 (全日制), from the roster or the console (migration 0053); null when not known. */
  study_level: ColumnType<StudyLevel | null, StudyLevel | null | undefined, StudyLevel | null>;
  full_time: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  student_no: string | null;
  password_hash: string | null;
  must_change_password: Generated<boolean>;
  campus_password_hash: string | null;
  campus_must_change: Generated<boolean>;
  campus_pin_hash: string | null;
  /** 单笔消费限额: above it the canteen POS asks for the consumption password (migration 0022). */
  campus_purchase_limit_fen: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ParentsTable {
  id: string;
  phone: string;
  display_name: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  created_at: CreatedAt;
}

export interface ParentStudentsTable {
  parent_id: string;
  student_id: string;
  relation: string | null;
  bound_at: Timestamp;
}

export interface StaffUsersTable {
  id: string;
  username: string;
  display_name: string;
  role: StaffRole;
  school_id: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  role: Role;
  subject_id: string;
  login_kind: Generated<LoginKind>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  caller: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  id: string;
  at: Timestamp;
  actor_role: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: Json | null;
  after: Json | null;
  request_id: string | null;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  kind: string;
  payload: Json;
  unique_key: string | null;
  status: JobStatus;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: number;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface StudentPhotosTable {
  student_id: string;
  content_type: 'image/jpeg' | 'image/png';
  bytes: Uint8Array;
  updated_at: Timestamp;
}

export interface AuthAttemptsTable {
  id: string;
  account_key: string;
  source: string;
  succeeded: boolean;
  at: Timestamp;
}

export interface OneTimeCodesTable {
  id: string;
  phone: string;
  purpose: string;
  code_hash: string;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  attempts: Generated<number>;
  created_at: Timestamp;
}

export interface SmsOutboxTable {
  id: string;
  phone: string;
  body: string;
  provider: string;
  created_at: Timestamp;
}

export interface GuardianConsentsTable {
  id: string;
  student_id: string;
  parent_id: string;
  purpose: string;
  granted_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface RosterImportsTable {
  id: string;
  school_id: string;
  file_name: string;
  status: 'running' | 'done' | 'failed';
  total_rows: Generated<number>;
  processed_rows: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  rejected_count: Generated<number>;
  /** The rejected rows: { row, field, code, message, messageEn }[]. */
  report: ColumnType<unknown, string | undefined, string>;
  /** Rows imported with a cell stored as not known (migration 0057), the first 1,000: the same shape. */
  warnings: ColumnType<unknown, string | undefined, string>;
  warning_count: Generated<number>;
  error: string | null;
  created_by: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface CalendarYearsTable {
  year: number;
  source: string;
  loaded_at: Timestamp;
}

export interface CalendarDaysTable {
  date: string;
  is_working_day: boolean;
  is_holiday: boolean;
  is_vacation: Generated<boolean>;
  name: string | null;
  edited_by: string | null;
  updated_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
  updated_by: string | null;
}

export type TerminalKind = 'bus_validator' | 'rail_gate' | 'pos' | 'reader' | 'network_gateway';

export interface TerminalsTable {
  id: string;
  code: string;
  kind: TerminalKind;
  operator: string;
  location: string | null;
  /** The school a campus POS or reader serves (migration 0022); null for transit terminals. */
  school_id: ColumnType<string | null, string | null | undefined, string | null>;
  secret_hash: string;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
  last_seen_at: Timestamp | null;
}

export interface AppMetaTable {
  key: string;
  value: string;
}

export interface Database extends LedgerTables, PaymentsTables, AutoTopUpTables, CardsTables, FulfilmentTables, ECardsTables, TransitTables, CardServicesTables, CampusTables, NoticesTables, AcademicsTables {
  schools: SchoolsTable;
  classes: ClassesTable;
  students: StudentsTable;
  parents: ParentsTable;
  parent_students: ParentStudentsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  app_meta: AppMetaTable;
  student_photos: StudentPhotosTable;
  auth_attempts: AuthAttemptsTable;
  one_time_codes: OneTimeCodesTable;
  sms_outbox: SmsOutboxTable;
  guardian_consents: GuardianConsentsTable;
  roster_imports: RosterImportsTable;
  calendar_years: CalendarYearsTable;
  calendar_days: CalendarDaysTable;
  settings: SettingsTable;
  terminals: TerminalsTable;
}

export type School = Selectable<SchoolsTable>;
export type Student = Selectable<StudentsTable>;
export type NewStudent = Insertable<StudentsTable>;
export type StaffUser = Selectable<StaffUsersTable>;
export type Job = Selectable<JobsTable>;
