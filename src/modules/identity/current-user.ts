import { mayReadAcademicRecords } from '../../domain/academic-access.js';
import { maskName, maskPhone } from '../../domain/masking.js';
import type { DbOrTx } from '../../platform/db/database.js';
import type { LoginKind, Role } from '../../platform/db/schema.js';
import { fail } from '../../platform/errors.js';
import type { User } from './identity.schemas.js';
import { identityRepository as repo } from './identity.repository.js';

/** The signed-in user as the apps show it: names and phones masked. */
export async function loadUser(db: DbOrTx, role: Role, id: string, loginKind: LoginKind): Promise<{ user: User; mustChangePassword: boolean }> {
  if (role === 'student') {
    const s = await repo.findStudentById(db, id);
    if (!s) throw fail('AUTH_TOKEN_INVALID');
    // Each password is "must change" until its owner has set one of their own.
    const mustChangePassword =
      loginKind === 'campus' ? s.campus_password_hash === null || s.campus_must_change : s.password_hash === null || s.must_change_password;
    // The account they sign in with: a campus card session's is the student number (seed 004), else the education ID.
    const login = loginKind === 'campus' && s.student_no ? s.student_no : s.education_id;
    return {
      user: {
        id, role, displayName: maskName(s.name), login, schoolId: s.school_id, schoolName: s.school_name, schoolStage: s.school_stage,
        academicRecords: mayReadAcademicRecords({ schoolStage: s.school_stage, status: s.status, studyLevel: s.study_level, fullTime: s.full_time }),
      },
      mustChangePassword,
    };
  }
  if (role === 'parent') {
    const p = await repo.findParentById(db, id);
    if (!p) throw fail('AUTH_TOKEN_INVALID');
    return {
      user: { id, role, displayName: p.display_name ? maskName(p.display_name) : maskPhone(p.phone), login: maskPhone(p.phone), schoolId: null, schoolName: null, schoolStage: null, academicRecords: false },
      mustChangePassword: p.must_change_password,
    };
  }
  const staff = await repo.findStaffById(db, id);
  if (!staff) throw fail('AUTH_TOKEN_INVALID');
  return {
    user: { id, role: staff.role, displayName: staff.display_name, login: staff.username, schoolId: staff.school_id, schoolName: staff.school_name, schoolStage: staff.school_stage, academicRecords: false },
    mustChangePassword: staff.must_change_password,
  };
}
