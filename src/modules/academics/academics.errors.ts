import { registerErrors } from '../../platform/errors.js';
import '../roster/roster.errors.js';
import '../campus/campus.errors.js';

/** 课表查询 and 成绩查询: who may read them, and the university's uploads. */
registerErrors({
  ACADEMIC_UNDERGRADUATES_ONLY: {
    status: 403,
    zh: '课表查询、成绩查询仅面向全日制本科生；如你是全日制本科生，请联系学院核对学籍信息中的培养层次和学习形式',
    en: 'Timetables and grades are for full-time undergraduates only; if you are one, ask your college to check the study level and mode on your record',
  },
  ACADEMIC_TERM_UNKNOWN: { status: 404, zh: '没有这个学期：请先登记学期（第一周的周一和教学周数）', en: 'No such term: register it first (the Monday of week 1 and the number of teaching weeks)' },
  ACADEMIC_TERM_INVALID: { status: 400, zh: '学期有误：学期代码如“2025-2026-1”，第一周须从周一开始，教学周数为 1–30', en: 'The term is malformed: a code like 2025-2026-1, week 1 starting on a Monday, 1 to 30 teaching weeks' },
  ACADEMIC_TERM_WEEKS_IN_USE: { status: 409, zh: '已上传的课表用到了更靠后的教学周，不能减少周数；请先上传修正后的课表', en: 'The uploaded timetable uses later teaching weeks: upload a corrected timetable before shortening the term' },
  ACADEMIC_UPLOAD_INVALID: { status: 422, zh: '有错误的行，本次上传未写入任何数据；请按提示修改后重新上传', en: 'Some rows are wrong, and nothing was written; correct them and upload again' },
  ACADEMIC_FILE_COLUMNS: {
    status: 400,
    zh: '找不到表头：课表文件须有“学号、课程、星期、节次、周次”几列（教师、地点可选），成绩文件须有“学号、课程、学分、成绩、绩点”几列（考试性质可选）',
    en: 'No header found: a timetable file needs 学号, 课程, 星期, 节次, 周次 (教师 and 地点 optional); a grades file needs 学号, 课程, 学分, 成绩, 绩点 (考试性质 optional)',
  },
  ACADEMIC_UPLOAD_EMPTY: {
    status: 422,
    zh: '上传内容没有任何行，未做任何修改；如确要清空本学期的课表或成绩，请使用“清空”操作',
    en: 'The upload has no rows, and nothing was changed; to empty the term’s timetable or grades, clear them explicitly',
  },
  ACADEMIC_COLLEGE_UNKNOWN: {
    status: 404,
    zh: '本校学生中没有这个院系，本学期也没有按它上传过；请核对院系名称（与学籍名单一致）',
    en: 'No student of the school is in this college and nothing was uploaded for it this term: check the name (as the roster spells it)',
  },
  ACADEMIC_UPLOAD_TOO_LARGE: { status: 413, zh: '一次最多上传 50,000 行', en: 'At most 50,000 rows per upload' },
});
