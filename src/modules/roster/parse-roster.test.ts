import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { studyLevels } from '../../domain/academic-access.js';
import { describe, expect, it } from 'vitest';
import { makeIdNumber, MAX_ID_SEQUENCE } from '../../domain/id-number.js';
import { isDomainError } from '../../domain/errors.js';
import { projectRoot } from '../../platform/paths.js';
import { parseRoster, type CampusRosterRow, type K12RosterRow } from './parse-roster.js';
import { classKey, readClassNo, readDate, readGender, readGrade, readStudentNo, readYesNo } from './roster-fields.js';
import { rosterColumns, type RosterField } from './row-problems.js';

const TODAY = '2026-06-01';
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Quotes a cell the way Excel does when it holds a comma, a quote or a line break. */
const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const csvLine = (cells: string[]) => cells.map(csvCell).join(',');

function codeOfThrown(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (isDomainError(error)) return error.code;
    throw error;
  }
  return undefined;
}

function detailsOfThrown(work: () => unknown): Record<string, unknown> | undefined {
  try {
    work();
  } catch (error) {
    if (isDomainError(error)) return error.details;
    throw error;
  }
  return undefined;
}

const header = '教育ID,姓名,性别,出生日期,身份证号,年级,班级';
const goodId = makeIdNumber({ areaCode: '110108', birthDate: '2013-03-05', sequence: 1, gender: 'M' });
const goodLine = `31000001,王小明,男,2013-03-05,${goodId},7,1`;

const birthDateArb = fc
  .date({ min: new Date('2005-01-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const studentArb = fc.record({
  name: fc.array(fc.constantFrom('张', '王', '欧', '阳', '·', ',', '"', 'a', 'Z'), { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')),
  gender: fc.constantFrom('M' as const, 'F' as const),
  birthDate: birthDateArb,
  sequence: fc.integer({ min: 0, max: MAX_ID_SEQUENCE }),
  grade: fc.integer({ min: 1, max: 12 }),
  classNo: fc.integer({ min: 1, max: 20 }).map(String),
});

const studentsArb = fc
  .uniqueArray(studentArb, { minLength: 1, maxLength: 30, selector: (s) => `${s.birthDate}/${s.sequence}/${s.gender}` })
  .map((students) =>
    students.map((s, i): Omit<K12RosterRow, 'row'> => ({
      educationId: String(20_000_000 + i),
      name: s.name,
      gender: s.gender,
      birthDate: s.birthDate,
      idNumber: makeIdNumber({ areaCode: '110105', birthDate: s.birthDate, sequence: s.sequence, gender: s.gender }),
      grade: s.grade,
      classNo: s.classNo,
    })),
  );

/** Header spellings schools use for each field, before case and spacing are varied. */
const headerSpellings: Record<RosterField, string[]> = {
  educationId: ['教育ID', 'educationId', 'Education ID', 'EDUCATION_ID'],
  name: ['姓名', 'name', 'Name'],
  gender: ['性别', 'gender', 'Sex'],
  birthDate: ['出生日期', 'birthDate', 'Birth Date', 'date of birth'],
  idNumber: ['身份证号', '身份证号码', 'idNumber', 'ID Number'],
  grade: ['年级', 'grade', 'Grade'],
  class: ['班级', 'class', 'Class No'],
  studentNo: ['学号', 'studentNo', 'Student Number'],
  salaried: ['有工资收入', '是否有工资收入', 'salaried'],
  college: ['院系', '学院', 'College'],
  major: ['专业', '专业名称', '所学专业', 'Major'],
  studyLevel: ['培养层次', '学历层次', 'Study Level'],
  fullTime: ['学习形式', '是否全日制', 'Full Time'],
};

/** Writes rows under a header of `fields` in `order`, with a BOM or not, and an extra column somewhere or not. */
interface Layout {
  order: RosterField[];
  spellings: string[];
  extraColumnAt: number | null;
  bom: boolean;
  lineEnd: string;
}

function layoutArb(fields: readonly RosterField[]): fc.Arbitrary<Layout> {
  return fc.record({
    order: fc.shuffledSubarray([...fields], { minLength: fields.length, maxLength: fields.length }),
    spellings: fc.tuple(...fields.map((f) => fc.constantFrom(...headerSpellings[f]))),
    extraColumnAt: fc.option(fc.integer({ min: 0, max: fields.length })),
    bom: fc.boolean(),
    lineEnd: fc.constantFrom('\n', '\r\n'),
  }).map((l) => ({ ...l, spellings: l.order.map((f) => l.spellings[fields.indexOf(f)]!) }));
}

function writeRoster<T>(layout: Layout, rows: T[], cellsOf: (row: T) => Partial<Record<RosterField, string>>, extraHeader = '备注'): Buffer {
  const withExtra = (cells: string[], extra: string) => {
    if (layout.extraColumnAt === null) return cells;
    return [...cells.slice(0, layout.extraColumnAt), extra, ...cells.slice(layout.extraColumnAt)];
  };
  const lines = [
    csvLine(withExtra(layout.spellings, extraHeader)),
    ...rows.map((row) => csvLine(withExtra(layout.order.map((f) => cellsOf(row)[f] ?? ''), '转入, 2025'))),
  ];
  return utf8((layout.bom ? '\uFEFF' : '') + lines.join(layout.lineEnd) + layout.lineEnd);
}

describe('parseRoster reads every valid roster back', () => {
  it('whatever the column order, header spelling, extra columns, BOM and line endings', () => {
    fc.assert(
      fc.property(studentsArb, layoutArb(rosterColumns.k12.required), (students, layout) => {
        const bytes = writeRoster(layout, students, (s) => ({
          educationId: s.educationId, name: s.name, gender: s.gender === 'M' ? '男' : 'F', birthDate: s.birthDate.replaceAll('-', ''),
          idNumber: s.idNumber, grade: String(s.grade), class: `${s.classNo}班`,
        }));
        const parsed = parseRoster(bytes, TODAY, 'k12');
        expect(parsed.problems).toEqual([]);
        expect(parsed.rows).toEqual(students.map((s, i) => ({ ...s, row: i + 2 })));
      }),
    );
  });

  it('a university or vocational roster: student numbers, the salary flag, the college and the major when the file has them, and a 年级 column ignored', () => {
    const collegeNames = ['音乐学院', '高等职业教育与继续教育学院', '计算机学院', 'School of Arts'];
    const majorNames = ['音乐表演', '音乐教育', '会计', 'Software Engineering'];
    const campusArb = fc.tuple(
      studentsArb, fc.boolean(), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), fc.boolean(), fc.array(fc.constantFrom(...collegeNames), { minLength: 30, maxLength: 30 }),
      fc.boolean(), fc.array(fc.constantFrom(...majorNames), { minLength: 30, maxLength: 30 }),
      fc.boolean(), fc.array(fc.constantFrom(...studyLevels), { minLength: 30, maxLength: 30 }), fc.boolean(), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
    )
      .map(([students, withSalaried, salaried, withCollege, colleges, withMajor, majors, withLevel, levels, withMode, modes]) =>
        students.map((s, i): Omit<CampusRosterRow, 'row'> => {
          const { grade: _grade, classNo: _classNo, ...person } = s;
          const row: Omit<CampusRosterRow, 'row'> = { ...person, studentNo: `2023${String(110_000 + i * 7)}` };
          if (withSalaried) row.salaried = salaried[i]!;
          if (withCollege) row.college = colleges[i]!;
          if (withMajor) row.major = majors[i]!;
          if (withLevel) row.studyLevel = levels[i]!;
          if (withMode) row.fullTime = modes[i]!;
          return row;
        }));
    const fields = [...rosterColumns.campus.required, ...rosterColumns.campus.optional];
    fc.assert(
      fc.property(campusArb, layoutArb(fields), (students, layout) => {
        // The file has an optional column only when its rows fill it in.
        const absent = new Set<string>((['salaried', 'college', 'major', 'studyLevel', 'fullTime'] as const).filter((f) => students.every((s) => s[f] === undefined)));
        const columns = { ...layout, order: layout.order.filter((f) => !absent.has(f)), spellings: layout.spellings.filter((_, i) => !absent.has(layout.order[i]!)) };
        // A university's export often has 年级 (the year of entry); it is not a K-12 grade, and is left unread.
        const bytes = writeRoster(columns, students, (s) => ({
          educationId: s.educationId, name: s.name, gender: s.gender === 'M' ? 'M' : '女', birthDate: s.birthDate,
          idNumber: s.idNumber, studentNo: s.studentNo, salaried: s.salaried === undefined ? '' : s.salaried ? '是' : '否', college: s.college ?? '', major: s.major ?? '',
          studyLevel: s.studyLevel === undefined || s.studyLevel === null ? '' : { undergraduate: '本科', associate: '高职', postgraduate: '硕士研究生' }[s.studyLevel], fullTime: s.fullTime === undefined ? '' : s.fullTime ? '全日制' : '非全日制',
        }), '年级');
        const parsed = parseRoster(bytes, TODAY, 'campus');
        expect(parsed.problems).toEqual([]);
        expect(parsed.rows).toEqual(students.map((s, i) => ({ ...s, row: i + 2 })));
      }),
    );
  });
});

describe('campus rosters refuse what they cannot use', () => {
  const campusHeader = '教育ID,姓名,性别,出生日期,身份证号,学号,有工资收入';
  const campusLine = (educationId: string, studentNo: string, salaried: string, sequence = 1) =>
    `${educationId},周晓东,男,2005-06-21,${makeIdNumber({ areaCode: '110108', birthDate: '2005-06-21', sequence, gender: 'M' })},${studentNo},${salaried}`;

  it('a student number Excel turned into a number, a salary flag that is not yes or no, and a blank one', () => {
    const parsed = parseRoster(utf8([campusHeader, campusLine('20150401', '2.02311E+09', '否'), campusLine('20150402', '2023110502', '可能', 2), campusLine('20150403', '2023110503', '', 3)].join('\n')), TODAY, 'campus');
    expect(parsed.problems.map((p) => [p.row, p.field, p.code])).toEqual([[2, 'studentNo', 'STUDENT_NO_FORMAT'], [3, 'salaried', 'SALARIED_FORMAT'], [4, 'salaried', 'FIELD_REQUIRED']]);
    expect(parsed.problems[0]).toMatchObject({ message: expect.stringContaining('学号'), messageEn: expect.stringContaining('student number') });
    expect(parsed.rows).toEqual([]);
  });

  it('培养层次 / 学习形式 that cannot be read or are blank: a warning and not known, never a refused row', () => {
    const header = `${campusHeader},培养层次,学习形式`;
    const parsed = parseRoster(utf8([header, `${campusLine('20150401', '2023110501', '否')},本科生,脱产`, `${campusLine('20150402', '2023110502', '否', 2)},预科,`, `${campusLine('20150403', '2023110503', '否', 3)},,半日制`].join('\n')), TODAY, 'campus');
    expect(parsed.problems).toEqual([]);
    expect(parsed.warnings.map((p) => [p.row, p.field, p.code])).toEqual([[3, 'studyLevel', 'STUDY_LEVEL_UNKNOWN'], [3, 'fullTime', 'FULL_TIME_UNKNOWN'], [4, 'studyLevel', 'STUDY_LEVEL_UNKNOWN'], [4, 'fullTime', 'FULL_TIME_UNKNOWN']]);
    expect((parsed.rows as CampusRosterRow[]).map((r) => [r.row, r.studyLevel, r.fullTime])).toEqual([[2, 'undergraduate', true], [3, null, null], [4, null, null]]);
    // A row refused for something else carries no warning (it is not imported).
    const refused = parseRoster(utf8([header, `${campusLine('20150401', '2.02311E+09', '否')},预科,全日制`].join('\n')), TODAY, 'campus');
    expect([refused.problems.map((p) => p.code), refused.warnings]).toEqual([['STUDENT_NO_FORMAT'], []]);
  });

  it('files that imported before 0053: 层次, 培养类别, 全日制 and Level are not these columns; 培养层次 with 学历层次: the first wins', () => {
    const legacy = parseRoster(utf8([`${campusHeader},层次,全日制,培养类别`, `${campusLine('20150401', '2023110501', '否')},本科生,是,统招`, `${campusLine('20150402', '2023110502', '否', 2)},专升本,否,定向`].join('\n')), TODAY, 'campus');
    expect([legacy.problems, legacy.warnings, legacy.rows.length]).toEqual([[], [], 2]);
    expect(legacy.rows[0]).not.toHaveProperty('studyLevel');
    const english = parseRoster(utf8(['Education ID,Name,Gender,Birth Date,ID Number,Student No,Salaried,Level', `${campusLine('20150401', '2023110501', 'no')},2025`].join('\n')), TODAY, 'campus');
    expect([english.problems, english.warnings]).toEqual([[], []]);
    const both = parseRoster(utf8([`${campusHeader},培养层次,学历层次,学习形式,是否全日制`, `${campusLine('20150401', '2023110501', '否')},专升本,专科,全日制,否`].join('\n')), TODAY, 'campus');
    expect(both.rows).toMatchObject([{ studyLevel: 'undergraduate', fullTime: true }]);
  });

  it('a college name longer than 32 characters, and a blank one in a file with the 院系 column', () => {
    const header = `${campusHeader},院系`;
    const parsed = parseRoster(utf8([header, `${campusLine('20150401', '2023110501', '否')},${'音'.repeat(33)}`, `${campusLine('20150402', '2023110502', '否', 2)},`, `${campusLine('20150403', '2023110503', '否', 3)},${'音'.repeat(32)}`].join('\n')), TODAY, 'campus');
    expect(parsed.problems.map((p) => [p.row, p.field, p.code])).toEqual([[2, 'college', 'COLLEGE_TOO_LONG'], [3, 'college', 'FIELD_REQUIRED']]);
    expect(parsed.problems[0]).toMatchObject({ message: '院系最多 32 个字符' });
    expect(parsed.rows).toMatchObject([{ row: 4, college: '音'.repeat(32) }]);
  });

  it('a major longer than 32 characters, and a blank one in a file with the 专业 column; a header in brackets still read', () => {
    const header = `${campusHeader},院系,所学专业（方向）`;
    const line = (educationId: string, studentNo: string, sequence: number, major: string) => `${campusLine(educationId, studentNo, '否', sequence)},高等职业教育与继续教育学院,${major}`;
    const parsed = parseRoster(utf8([header, line('20150401', '2023110501', 1, '音'.repeat(33)), line('20150402', '2023110502', 2, ' '), line('20150403', '2023110503', 3, ' 音乐表演 ')].join('\n')), TODAY, 'campus');
    expect(parsed.problems.map((p) => [p.row, p.field, p.code])).toEqual([[2, 'major', 'MAJOR_TOO_LONG'], [3, 'major', 'FIELD_REQUIRED']]);
    expect(parsed.problems[0]).toMatchObject({ message: '专业最多 32 个字符', messageEn: 'A major may have at most 32 characters' });
    expect(parsed.problems[1]).toMatchObject({ message: '专业不能为空', messageEn: 'The major is empty' });
    expect(parsed.rows).toEqual([expect.objectContaining({ row: 4, college: '高等职业教育与继续教育学院', major: '音乐表演' })]);
  });

  it('a K-12 roster leaves a 专业 column unread', () => {
    const k12 = parseRoster(utf8(['教育ID,姓名,性别,出生日期,身份证号,年级,班级,专业', `20230101,张小明,男,2015-03-12,${makeIdNumber({ areaCode: '110105', birthDate: '2015-03-12', sequence: 1, gender: 'M' })},5,3,音乐表演`].join('\n')), TODAY, 'k12');
    expect(k12.problems).toEqual([]);
    expect(k12.rows[0]).not.toHaveProperty('major');
  });

  it('the same student number on two rows rejects the later one, naming the first', () => {
    const parsed = parseRoster(utf8([campusHeader, campusLine('20150401', '2023110501', '否'), campusLine('20150402', '2023110501', '否', 2)].join('\n')), TODAY, 'campus');
    expect(parsed.problems.map((p) => [p.row, p.field, p.code, p.message])).toEqual([[3, 'studentNo', 'STUDENT_NO_DUPLICATE', '学号与第 2 行重复']]);
    expect(parsed.rows.map((r) => r.row)).toEqual([2]);
  });

  it('a K-12 roster is refused by a university (no 学号 column), and a campus roster by a K-12 school', () => {
    expect(detailsOfThrown(() => parseRoster(utf8(`${header}\n${goodLine}\n`), TODAY, 'campus'))).toEqual({ missing: ['studentNo'] });
    expect(detailsOfThrown(() => parseRoster(utf8(`${campusHeader}\n${campusLine('20150401', '2023110501', '否')}\n`), TODAY, 'k12'))).toEqual({ missing: ['grade', 'class'] });
  });
});

describe('parseRoster rejects bad rows, keeps the good ones', () => {
  it('a gender that disagrees with the ID number is GENDER_MISMATCH, whichever way round', () => {
    fc.assert(
      fc.property(studentsArb, (students) => {
        const [first] = students as [Omit<K12RosterRow, 'row'>];
        const flipped = first.gender === 'M' ? '女' : '男';
        const line = [first.educationId, first.name, flipped, first.birthDate, first.idNumber, first.grade, first.classNo];
        const parsed = parseRoster(utf8(`${header}\n${csvLine(line.map(String))}\n`), TODAY, 'k12');
        expect(parsed.rows).toEqual([]);
        expect(parsed.problems.map((p) => [p.row, p.field, p.code])).toEqual([[2, 'gender', 'GENDER_MISMATCH']]);
      }),
    );
  });

  it('an education ID seen on an earlier row rejects the later rows only, naming the first', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 25 }), (picks) => {
        const lines = picks.map((pick, i) => {
          const idNumber = makeIdNumber({ areaCode: '110105', birthDate: '2012-01-01', sequence: i, gender: 'M' });
          return `${30_000_000 + pick},学生,男,2012-01-01,${idNumber},5,1`;
        });
        const parsed = parseRoster(utf8([header, ...lines].join('\n')), TODAY, 'k12');
        const firstRow = new Map<number, number>();
        const expected: [number, string][] = [];
        picks.forEach((pick, i) => {
          const first = firstRow.get(pick);
          if (first === undefined) firstRow.set(pick, i + 2);
          else expected.push([i + 2, `教育ID与第 ${first} 行重复`]);
        });
        expect(parsed.problems.map((p) => [p.row, p.message])).toEqual(expected);
        expect(parsed.rows.map((r) => r.row)).toEqual([...firstRow.values()]);
        expect(parsed).toMatchObject({ totalRows: picks.length, rejectedRows: expected.length });
      }),
    );
  });

  it('reports every problem of a row, in column order, and counts the row once', () => {
    const parsed = parseRoster(utf8(`${header}\n1234567,,未知,2013-13-01,${goodId.slice(0, 17)},十三,\n${goodLine}\n`), TODAY, 'k12');
    expect(parsed.problems.map((p) => [p.row, p.field, p.code])).toEqual([
      [2, 'educationId', 'EDUCATION_ID_FORMAT'],
      [2, 'name', 'FIELD_REQUIRED'],
      [2, 'gender', 'GENDER_FORMAT'],
      [2, 'birthDate', 'BIRTH_DATE_FORMAT'],
      [2, 'idNumber', 'ID_NUMBER_FORMAT'],
      [2, 'grade', 'GRADE_FORMAT'],
      [2, 'class', 'FIELD_REQUIRED'],
    ]);
    expect(parsed.problems[1]).toMatchObject({ message: '姓名不能为空', messageEn: 'The name is empty' });
    expect(parsed).toMatchObject({ totalRows: 2, rejectedRows: 1, rows: [{ row: 3, educationId: '31000001' }] });
  });

  it('a birth date that disagrees with the ID number is BIRTH_DATE_MISMATCH', () => {
    const parsed = parseRoster(utf8(`${header}\n31000001,王小明,男,2013-03-06,${goodId},7,1\n`), TODAY, 'k12');
    expect(parsed.problems.map((p) => [p.field, p.code])).toEqual([['birthDate', 'BIRTH_DATE_MISMATCH']]);
  });

  it('the same ID number on two rows rejects the later one', () => {
    const parsed = parseRoster(utf8(`${header}\n${goodLine}\n31000002,王小明,男,2013-03-05,${goodId.toLowerCase()},7,1\n`), TODAY, 'k12');
    expect(parsed.problems.map((p) => [p.row, p.field, p.code, p.message])).toEqual([[3, 'idNumber', 'ID_NUMBER_DUPLICATE', '身份证号与第 2 行重复']]);
  });

  it('reads full-width digits and letters, and stores a lower-case x check character as X', () => {
    const withX = makeIdNumber({ areaCode: '110105', birthDate: '2012-05-20', sequence: 3, gender: 'F' });
    expect(withX.endsWith('X')).toBe(true);
    const parsed = parseRoster(utf8(`${header}\n３１０００００１, 李 四 ,ｆ,2012/5/20,${withX.toLowerCase()},初一,（２）班\n`), TODAY, 'k12');
    expect(parsed.rows).toEqual([{ row: 2, educationId: '31000001', name: '李 四', gender: 'F', birthDate: '2012-05-20', idNumber: withX, grade: 7, classNo: '2' }]);
  });
});

describe('row numbers are the ones Excel shows', () => {
  it('counts title rows above the header, blank rows, and a quoted cell with a line break as one row', () => {
    const text = ['2025 级学生名单,,,,,,', '', header, goodLine, ',,,,,,', '', `31000001,"王\n小明",男,2013-03-05,${goodId},7,1`].join('\n');
    const parsed = parseRoster(utf8(text), TODAY, 'k12');
    expect(parsed.rows.map((r) => r.row)).toEqual([4]);
    expect(parsed.problems.map((p) => [p.row, p.code])).toEqual([[7, 'EDUCATION_ID_DUPLICATE'], [7, 'ID_NUMBER_DUPLICATE']]);
    expect(parsed.totalRows).toBe(2);
  });
});

describe('whole files that are refused', () => {
  it('reads the GBK fixture (Excel "CSV" on Chinese Windows) with its Chinese headers', () => {
    const parsed = parseRoster(readFileSync(join(projectRoot(), 'test/fixtures/roster-gbk.csv')), TODAY, 'k12');
    expect((parsed.rows as K12RosterRow[]).map((r) => [r.row, r.name, r.grade, r.classNo])).toEqual([[2, '王小明', 7, '1'], [3, '李小红', 7, '2']]);
    expect(parsed.problems.map((p) => [p.row, p.code])).toEqual([[4, 'ID_NUMBER_CHECKSUM']]);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'ROSTER_FILE_EMPTY'],
    ['only blank lines', utf8('\n,,,\n\n'), 'ROSTER_FILE_EMPTY'],
    ['a header without rows', utf8(`${header}\r\n`), 'ROSTER_FILE_EMPTY'],
    ['a workbook (NUL bytes)', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0x00, 0x00]), 'ROSTER_NOT_CSV'],
    ['a UTF-8 BOM over bytes that are not UTF-8', Buffer.from([0xef, 0xbb, 0xbf, 0xd0, 0xd5]), 'ROSTER_ENCODING_UNKNOWN'],
    ['bytes neither UTF-8 nor GBK', Buffer.from([0x41, 0x81, 0x20]), 'ROSTER_ENCODING_UNKNOWN'],
    ['an unclosed quote', utf8(`${header}\n"31000001,王\n`), 'ROSTER_CSV_MALFORMED'],
    ['a header naming a field twice', utf8(`${header},Name\n${goodLine},王小明\n`), 'ROSTER_COLUMN_DUPLICATE'],
  ])('%s → %s', (_what, bytes, code) => {
    expect(codeOfThrown(() => parseRoster(bytes, TODAY, 'k12'))).toBe(code);
  });

  it('names the columns missing from the row closest to a header', () => {
    const details = detailsOfThrown(() => parseRoster(utf8('名单\n教育ID,姓名,性别,出生日期\n31000001,王,男,2013-03-05\n'), TODAY, 'k12'));
    expect(details).toEqual({ missing: ['idNumber', 'grade', 'class'] });
  });
});

describe('cell readers', () => {
  it('readDate accepts YYYY-MM-DD, YYYYMMDD and YYYY/M/D for every real date', () => {
    fc.assert(
      fc.property(birthDateArb, (iso) => {
        const [y, m, d] = iso.split('-') as [string, string, string];
        for (const written of [iso, `${y}${m}${d}`, `${y}/${Number(m)}/${Number(d)}`, `${y}/${m}/${d}`]) expect(readDate(written)).toBe(iso);
      }),
    );
  });

  it('readDate refuses dates that do not exist and other layouts', () => {
    for (const s of ['2013-02-29', '2013-13-01', '20130230', '2013/2/30', '2013-3/5', '13-03-05', '5/3/2013', '2013年3月5日', '']) expect(readDate(s)).toBeNull();
  });

  it('readGender reads 男/女 and M/F in either case, nothing else', () => {
    expect(['男', 'M', 'm', ' Ｍ ', '女', 'F', 'f'].map(readGender)).toEqual(['M', 'M', 'M', 'M', 'F', 'F', 'F']);
    for (const s of ['', '男性', 'male', 'X']) expect(readGender(s)).toBeNull();
  });

  it('readGrade reads numbers and Chinese grade names as 1–12', () => {
    const cases: [string, number | null][] = [
      ['1', 1], ['07', 7], ['12', 12], ['3年级', 3], ['三年级', 3], ['七年级', 7], ['十二年级', 12],
      ['初一', 7], ['初三', 9], ['高一', 10], ['高3', 12],
      ['0', null], ['13', null], ['初四', null], ['高', null], ['大一', null], ['', null],
    ];
    for (const [written, grade] of cases) expect([written, readGrade(written)]).toEqual([written, grade]);
  });

  it('readStudentNo takes letters, digits and hyphens; readYesNo reads 是/否 and its usual spellings', () => {
    expect(['2023110501', ' ２０２３１１０５０１ ', 'S-2023-001'].map(readStudentNo)).toEqual(['2023110501', '2023110501', 'S-2023-001']);
    for (const s of ['', '2.02311E+09', '2023 1105', '学号1', 'x'.repeat(33)]) expect(readStudentNo(s)).toBeNull();
    expect(['是', '有', 'Y', 'yes', 'TRUE', '1', '否', '无', 'n', 'No', 'false', '0'].map(readYesNo)).toEqual([true, true, true, true, true, true, false, false, false, false, false, false]);
    for (const s of ['', '可能', '是的', '2']) expect(readYesNo(s)).toBeNull();
  });

  it('readClassNo drops 班 and brackets; classKey matches 3 with 03', () => {
    expect(['3', '3班', '(3)班', '（03）', ' 12 '].map(readClassNo)).toEqual(['3', '3', '3', '03', '12']);
    expect(classKey(7, '03')).toBe(classKey(7, '3'));
    expect(classKey(7, '3')).not.toBe(classKey(8, '3'));
    expect(classKey(7, '实验班')).toBe('7/实验班');
  });
});
