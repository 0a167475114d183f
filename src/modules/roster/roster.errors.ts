import { registerErrors } from '../../platform/errors.js';

/** Whole-file refusals (nothing is imported) and the outcomes of an import that stopped. */
registerErrors({
  ROSTER_SCHOOL_UNKNOWN: { status: 404, zh: '学校不存在，请检查学校代码', en: 'No such school; check the school code' },
  ROSTER_FILE_EMPTY: { status: 400, zh: '文件中没有学生记录', en: 'The file holds no student rows' },
  ROSTER_NOT_CSV: { status: 400, zh: '文件不是 CSV：请在 Excel 中“另存为”CSV（逗号分隔）后上传', en: 'The file is not CSV: in Excel, use Save As → CSV (comma delimited) and upload that' },
  ROSTER_ENCODING_UNKNOWN: { status: 400, zh: '无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV', en: 'The file is neither UTF-8 nor GBK; save the CSV in one of those' },
  ROSTER_CSV_MALFORMED: { status: 400, zh: 'CSV 格式有误（例如引号未闭合）', en: 'The CSV is malformed (an unclosed quote, for example)' },
  ROSTER_COLUMNS_MISSING: {
    status: 400,
    zh: '缺少必需的列：中小学名单需要教育ID、姓名、性别、出生日期、身份证号、年级、班级；高校和职业院校名单需要教育ID、姓名、性别、出生日期、身份证号、学号',
    en: 'Required columns are missing: a K-12 roster needs educationId, name, gender, birthDate, idNumber, grade, class; a university or vocational roster needs educationId, name, gender, birthDate, idNumber, studentNo',
  },
  ROSTER_COLUMN_DUPLICATE: { status: 400, zh: '同一项出现在多列中，请删除多余的列', en: 'Several columns hold the same field; remove the extra ones' },
  ROSTER_IMPORT_FAILED: { status: 500, zh: '导入中途出错，已导入的记录保留，可重新导入同一文件', en: 'The import stopped on an error; rows already imported stay, and importing the same file again is safe' },
  ROSTER_IMPORT_INTERRUPTED: { status: 500, zh: '导入被中断（服务重启），可重新导入同一文件', en: 'The import was interrupted (the server restarted); importing the same file again is safe' },
});
