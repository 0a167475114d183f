import type { DbOrTx } from '../../platform/db/database.js';
import type { StaffRole } from '../../platform/db/schema.js';

/** The only place with SQL for identities. */
export const identityRepository = {
  /**
   * The phones of the student's bound parents, in phone order: whom the texts about a student go
   * to (card applications, confirmations, bills, a leaver's balance). The one query for it.
   */
  parentPhones(db: DbOrTx, studentId: string): Promise<string[]> {
    return db
      .selectFrom('parent_students as ps')
      .innerJoin('parents as p', 'p.id', 'ps.parent_id')
      .select('p.phone')
      .where('ps.student_id', '=', studentId)
      .orderBy('p.phone')
      .execute()
      .then((rows) => rows.map((r) => r.phone));
  },

  findStaffByUsername(db: DbOrTx, username: string) {
    return db
      .selectFrom('staff_users')
      .leftJoin('schools', 'schools.id', 'staff_users.school_id')
      .select(['staff_users.id', 'staff_users.username', 'staff_users.display_name', 'staff_users.role', 'staff_users.school_id', 'staff_users.password_hash', 'staff_users.must_change_password', 'staff_users.disabled_at', 'schools.name as school_name'])
      .where('staff_users.username', '=', username)
      .executeTakeFirst();
  },

  findStaffById(db: DbOrTx, id: string) {
    return db
      .selectFrom('staff_users')
      .leftJoin('schools', 'schools.id', 'staff_users.school_id')
      .select(['staff_users.id', 'staff_users.username', 'staff_users.display_name', 'staff_users.role', 'staff_users.school_id', 'staff_users.must_change_password', 'schools.name as school_name', 'schools.stage as school_stage'])
      .where('staff_users.id', '=', id)
      .executeTakeFirst();
  },

  findStudentByEducationId(db: DbOrTx, educationId: string) {
    return db
      .selectFrom('students')
      .innerJoin('schools', 'schools.id', 'students.school_id')
      .select(['students.id', 'students.education_id', 'students.name', 'students.birth_date', 'students.school_id', 'students.password_hash', 'students.must_change_password', 'schools.name as school_name'])
      .where('students.education_id', '=', educationId)
      .executeTakeFirst();
  },

  /** A university account signs in by student number or ID number. */
  /** The university students a campus login names: a student number is unique per school only, so several may answer. */
  findCampusAccounts(db: DbOrTx, login: string) {
    return db
      .selectFrom('students')
      .select(['id', 'id_number', 'status', 'campus_password_hash'])
      .where('stage', 'in', ['university', 'vocational'])
      .where((eb) => eb.or([eb('student_no', '=', login), eb('id_number', '=', login.toUpperCase())]))
      .orderBy('id')
      .limit(5)
      .execute();
  },

  findStudentById(db: DbOrTx, id: string) {
    return db
      .selectFrom('students')
      .innerJoin('schools', 'schools.id', 'students.school_id')
      .select(['students.id', 'students.education_id', 'students.student_no', 'students.name', 'students.birth_date', 'students.id_number', 'students.school_id', 'students.password_hash', 'students.must_change_password', 'students.campus_password_hash', 'students.campus_must_change', 'students.status', 'students.study_level', 'students.full_time', 'schools.name as school_name', 'schools.stage as school_stage'])
      .where('students.id', '=', id)
      .executeTakeFirst();
  },

  findParentByPhone(db: DbOrTx, phone: string) {
    return db.selectFrom('parents').selectAll().where('phone', '=', phone).executeTakeFirst();
  },

  findParentById(db: DbOrTx, id: string) {
    return db.selectFrom('parents').select(['id', 'phone', 'display_name', 'must_change_password']).where('id', '=', id).executeTakeFirst();
  },

  async insertStaff(
    db: DbOrTx,
    staff: { id: string; username: string; displayName: string; role: StaffRole; schoolId: string | null; passwordHash: string },
  ): Promise<boolean> {
    const inserted = await db
      .insertInto('staff_users')
      .values({
        id: staff.id,
        username: staff.username,
        display_name: staff.displayName,
        role: staff.role,
        school_id: staff.schoolId,
        password_hash: staff.passwordHash,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  schoolExists(db: DbOrTx, id: string) {
    return db.selectFrom('schools').select('id').where('id', '=', id).executeTakeFirst();
  },
};
