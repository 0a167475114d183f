/**
 * What a roster import says about a bad row: the row number as Excel shows it (the header
 * is row 1), the field, a stable code the console can key on, and messages in Chinese and
 * English. No imports, so the web console can use it as is.
 */

export const rosterFields = ['educationId', 'name', 'gender', 'birthDate', 'idNumber', 'grade', 'class', 'studentNo', 'salaried', 'college', 'major', 'studyLevel', 'fullTime'] as const;
export type RosterField = (typeof rosterFields)[number];

/**
 * The columns of a school's roster. Primary, middle and high schools place students in classes
 * (grade + class); universities and vocational colleges have no classes on the roster, but a
 * student number (学号: the campus login, and what the e-card's real-name check asks for) and
 * optionally whether the student has a salary (salaried students get no student transit card) and
 * their 院系 and 专业 (some venues, the practice rooms, are for students of named colleges or majors).
 */
export type RosterKind = 'k12' | 'campus';
export const rosterColumns: Record<RosterKind, { required: readonly RosterField[]; optional: readonly RosterField[] }> = {
  k12: { required: ['educationId', 'name', 'gender', 'birthDate', 'idNumber', 'grade', 'class'], optional: [] },
  campus: { required: ['educationId', 'name', 'gender', 'birthDate', 'idNumber', 'studentNo'], optional: ['salaried', 'college', 'major', 'studyLevel', 'fullTime'] },
};

export function rosterKindOf(stage: 'primary' | 'middle' | 'high' | 'university' | 'vocational'): RosterKind {
  return stage === 'university' || stage === 'vocational' ? 'campus' : 'k12';
}

export const fieldLabels: Record<RosterField, { zh: string; en: string }> = {
  educationId: { zh: '教育ID', en: 'education ID' },
  name: { zh: '姓名', en: 'name' },
  gender: { zh: '性别', en: 'gender' },
  birthDate: { zh: '出生日期', en: 'birth date' },
  idNumber: { zh: '身份证号', en: 'ID number' },
  grade: { zh: '年级', en: 'grade' },
  class: { zh: '班级', en: 'class' },
  studentNo: { zh: '学号', en: 'student number' },
  salaried: { zh: '有工资收入', en: 'salaried' },
  college: { zh: '院系', en: 'college' },
  major: { zh: '专业', en: 'major' },
  studyLevel: { zh: '培养层次', en: 'study level' },
  fullTime: { zh: '学习形式', en: 'study mode' },
};

/** The parameters some messages need; every other code takes none. */
interface ProblemParams {
  EDUCATION_ID_DUPLICATE: { firstRow: number };
  ID_NUMBER_DUPLICATE: { firstRow: number };
  STUDENT_NO_DUPLICATE: { firstRow: number };
  CLASS_UNKNOWN: { grade: number; classNo: string };
}

const messages = {
  FIELD_REQUIRED: (_: unknown, field: RosterField) => [`${fieldLabels[field].zh}不能为空`, `The ${fieldLabels[field].en} is empty`],
  // Excel turns long digit strings into numbers: leading zeros vanish, 18 digits become 1.10105E+17.
  EDUCATION_ID_FORMAT: () => ['教育ID应为 8 位数字（如开头的 0 丢失，请在 Excel 中把该列设为文本格式）', 'An education ID is 8 digits (if leading zeros were lost, format the column as text in Excel)'],
  NAME_TOO_LONG: () => ['姓名最多 32 个字符', 'A name may have at most 32 characters'],
  GENDER_FORMAT: () => ['性别应为“男”或“女”（或 M / F）', 'Gender must be 男 or 女 (or M / F)'],
  BIRTH_DATE_FORMAT: () => ['出生日期应为有效日期，格式为 YYYY-MM-DD、YYYYMMDD 或 YYYY/M/D', 'The birth date must be a real date written YYYY-MM-DD, YYYYMMDD or YYYY/M/D'],
  ID_NUMBER_FORMAT: () => ['身份证号应为 18 位：17 位数字加一位数字或 X（请在 Excel 中把该列设为文本，以免变成科学计数法）', 'An ID number is 17 digits and a digit or X (format the column as text in Excel so it does not turn into 1.1E+17)'],
  ID_NUMBER_BIRTH_DATE: () => ['身份证号中的出生日期无效', 'The birth date inside the ID number is not valid'],
  ID_NUMBER_CHECKSUM: () => ['身份证号校验位不正确', 'The ID number check digit is wrong'],
  BIRTH_DATE_MISMATCH: () => ['出生日期与身份证号不一致', 'The birth date does not match the ID number'],
  GENDER_MISMATCH: () => ['性别与身份证号不一致（第 17 位奇数为男、偶数为女）', 'The gender does not match the ID number (17th digit odd: male, even: female)'],
  GRADE_FORMAT: () => ['年级应为 1–12，或“三年级”“初一”“高二”这样的写法', 'The grade must be 1–12, or written like 三年级, 初一, 高二'],
  STUDENT_NO_FORMAT: () => ['学号应为 1–32 位字母、数字或“-”（请在 Excel 中把该列设为文本格式）', 'A student number is 1–32 letters, digits or “-” (format the column as text in Excel)'],
  SALARIED_FORMAT: () => ['“有工资收入”应填“是”或“否”', 'Salaried must be 是 or 否 (yes or no)'],
  COLLEGE_TOO_LONG: () => ['院系最多 32 个字符', 'A college name may have at most 32 characters'],
  MAJOR_TOO_LONG: () => ['专业最多 32 个字符', 'A major may have at most 32 characters'],
  STUDY_LEVEL_FORMAT: () => ['培养层次应为“本科”“专科（高职）”或“研究生”（也可写硕士、博士）', 'The study level must be 本科 (undergraduate), 专科/高职 (associate) or 研究生 (postgraduate; also 硕士, 博士)'],
  FULL_TIME_FORMAT: () => ['学习形式应为“全日制”或“非全日制”', 'The study mode must be 全日制 (full-time) or 非全日制 (part-time)'],
  // Warnings, not problems: the row is imported with the value stored as not known.
  STUDY_LEVEL_UNKNOWN: () => ['培养层次为空或无法识别（可写本科、专科（高职）、研究生），已按“未知”导入；该生在补填前不能使用课表查询、成绩查询', 'The study level is empty or cannot be read (write 本科, 专科/高职 or 研究生): imported as not known; the student cannot use timetables and grades until it is given'],
  FULL_TIME_UNKNOWN: () => ['学习形式为空或无法识别（可写全日制、非全日制），已按“未知”导入；该生在补填前不能使用课表查询、成绩查询', 'The study mode is empty or cannot be read (write 全日制 or 非全日制): imported as not known; the student cannot use timetables and grades until it is given'],
  EDUCATION_ID_DUPLICATE: ({ firstRow }: ProblemParams['EDUCATION_ID_DUPLICATE']) => [`教育ID与第 ${firstRow} 行重复`, `The same education ID is on row ${firstRow}`],
  ID_NUMBER_DUPLICATE: ({ firstRow }: ProblemParams['ID_NUMBER_DUPLICATE']) => [`身份证号与第 ${firstRow} 行重复`, `The same ID number is on row ${firstRow}`],
  STUDENT_NO_DUPLICATE: ({ firstRow }: ProblemParams['STUDENT_NO_DUPLICATE']) => [`学号与第 ${firstRow} 行重复`, `The same student number is on row ${firstRow}`],
  STUDENT_NO_TAKEN: () => ['本校已有其他学生使用该学号', 'Another student of this school has this student number'],
  CLASS_UNKNOWN: ({ grade, classNo }: ProblemParams['CLASS_UNKNOWN']) => [`本校没有 ${grade} 年级 ${classNo} 班，请先在班级管理中添加`, `This school has no class ${classNo} in grade ${grade}; add it under Classes first`],
  STUDENT_IN_OTHER_SCHOOL: () => ['该教育ID的学生属于其他学校，转学请单独办理', 'A student of another school has this education ID; a transfer is a separate action'],
} satisfies Record<string, (params: never, field: RosterField) => [zh: string, en: string]>;

export type RowProblemCode = keyof typeof messages;
/** The codes whose messages need no parameters. */
export type PlainRowProblemCode = Exclude<RowProblemCode, keyof ProblemParams>;
export const rowProblemCodes = Object.keys(messages) as [RowProblemCode, ...RowProblemCode[]];

export interface RowProblem {
  row: number;
  field: RosterField;
  code: RowProblemCode;
  message: string;
  messageEn: string;
}

type ParamsOf<C extends RowProblemCode> = C extends keyof ProblemParams ? [ProblemParams[C]] : [];

export function rowProblem<C extends RowProblemCode>(row: number, field: RosterField, code: C, ...params: ParamsOf<C>): RowProblem {
  const render = messages[code] as (params: unknown, field: RosterField) => [string, string];
  const [message, messageEn] = render(params[0], field);
  return { row, field, code, message, messageEn };
}

/** Report order: by row, then in column order, so a row's problems read left to right. */
export function byRowThenField(a: RowProblem, b: RowProblem): number {
  return a.row - b.row || rosterFields.indexOf(a.field) - rosterFields.indexOf(b.field);
}
