import type { z } from 'zod';
import type { createStaffRequestSchema, staffSchema } from '../../../src/modules/identity/identity.schemas.js';
import type { bindParentSchema } from '../../../src/modules/identity/account.schemas.js';
import type {
  classSchema, createClassSchema, createSchoolSchema, createStudentSchema, updateStudentSchema,
} from '../../../src/modules/identity/students.schemas.js';

/**
 * The console's view of the API, inferred from the server's zod schemas (type-only imports: no
 * server code reaches the bundle). Request types are the schemas' inputs, so defaults stay optional.
 */
export type { SchoolRow, AuditEntryRow } from '../../../src/modules/admin/admin.routes.js';
export type { StudentRow, StudentDetail } from '../../../src/modules/identity/students.schemas.js';
export type { RosterImport, RosterImportSummary, RowProblemView } from '../../../src/modules/roster/roster.schemas.js';
export type { ParentLink } from '../../../src/modules/identity/account.schemas.js';

export type ClassRow = z.infer<typeof classSchema>;
export type CreateClassRequest = z.input<typeof createClassSchema>;
export type CreateSchoolRequest = z.input<typeof createSchoolSchema>;
export type CreateStudentRequest = z.input<typeof createStudentSchema>;
export type UpdateStudentRequest = z.input<typeof updateStudentSchema>;
export type CreateStaffRequest = z.input<typeof createStaffRequestSchema>;
export type Staff = z.infer<typeof staffSchema>;
export type BindParentRequest = z.input<typeof bindParentSchema>;

/**
 * GET /admin/staff and GET /admin/sms-outbox declare their item schemas inline in
 * students.routes.ts, so there is nothing to import. These mirror them until the server exports
 * `staffRowSchema` / `smsOutboxRowSchema`.
 */
export type StaffRow = Omit<Staff, 'role'> & { role: string; schoolName: string | null; disabled: boolean };
export interface SmsOutboxRow {
  id: string;
  phone: string;
  body: string;
  provider: string;
  createdAt: string;
}
