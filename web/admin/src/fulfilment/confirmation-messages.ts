import type { Messages } from '../../../shared/i18n.js';

/**
 * Words of the confirmation queue's fix dialog: where each field a family may report is fixed
 * (docs/cards.md, "What a family may report"), and the photo column.
 */
const zh = {
  reportedTitle: '学生/家长报告的错误',
  reportedValue: '应为：{value}',
  fixHere: '姓名、性别在此更正，提交后学生/家长需重新确认。',
  fixAt_schoolName: '学校名称按学生在读学校打印：学生已在其他学校就读的，请在学生页面办理转学（转入后由新学校请家长重新确认）；学校名称本身有误的，请联系卡务中心在「学校」中更正。',
  fixAt_validUntil: '卡面有效期是按学段和年级计算的毕业时间：请在学生页面核对并调整班级（年级），有效期随之更正。',
  fixAt_photo: '请在学生页面重新上传照片，再提交修改说明。',
  fixAt_educationId: '教育ID由学籍系统分配，不能在此更正：请联系学籍管理员核实后说明情况。',
  openStudent: '打开学生页面',
  photo: '照片',
  photoTaken: '已采集',
  photoMissing: '未采集',
  batchCreatedHeld: '已生成批次 {batchNo}；{n} 份申请因学生尚未采集照片暂不制卡，学校采集照片后可进入下一批次',
} as const;

export const confirmationMessages: Messages<keyof typeof zh> = {
  'zh-CN': zh,
  en: {
    reportedTitle: 'Errors the family reported',
    reportedValue: 'Should be: {value}',
    fixHere: 'Name and gender are fixed here; the family then confirms again.',
    fixAt_schoolName: 'The school printed is the one the student attends: if the student is now at another school, record the transfer on the student’s page (the new school then asks the family to confirm again); if the school’s own name is wrong, ask the card centre to correct it under Schools.',
    fixAt_validUntil: 'The validity printed is the graduation date worked out from the stage and grade: check and change the student’s class (grade) on the student’s page, and it follows.',
    fixAt_photo: 'Upload a new photo on the student’s page, then send the fix note.',
    fixAt_educationId: 'The education ID is assigned by the student-status system and cannot be changed here: have the student-status administrator check it, and say so in the note.',
    openStudent: 'Open the student’s page',
    photo: 'Photo',
    photoTaken: 'Taken',
    photoMissing: 'Missing',
    batchCreatedHeld: 'Batch {batchNo} created; {n} application(s) held back because the student has no photo yet: they go into a later batch once the school has taken it',
  },
};
