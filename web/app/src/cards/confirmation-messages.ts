import type { Messages } from '../../../shared/i18n.js';

/** Words of 制卡信息确认 beyond the wizard's: the photo rule, the report's checks and its summary. */
const zh = {
  photoMissingHint: '照片尚未采集，请联系学校卡管员采集照片后再确认',
  educationIdHint: '教育ID由学籍系统分配，不能在此更正；如有疑问请联系学校学籍管理员',
  correctValueRequired: '请填写{field}的正确内容',
  genderRequired: '请选择正确的性别',
  photoNoteLabel: '照片 · 问题说明',
  photoNotePlaceholder: '例如：照片模糊、不是本人，学校将重新采集',
  photoNoteRequired: '请说明照片有什么问题',
  summaryTitle: '请核对要报告的错误',
  summarySend: '提交给学校',
  summaryNote: '说明：{note}',
} as const;

export const confirmationMessages: Messages<keyof typeof zh> = {
  'zh-CN': zh,
  en: {
    photoMissingHint: 'No photo has been taken yet; ask the school card manager to take the photo, then confirm',
    educationIdHint: 'The education ID is assigned by the student-status system and cannot be corrected here; ask the school’s student-status administrator',
    correctValueRequired: 'Give the correct {field}',
    genderRequired: 'Choose the correct gender',
    photoNoteLabel: 'Photo · what is wrong',
    photoNotePlaceholder: 'E.g. blurred, not the student: the school takes a new one',
    photoNoteRequired: 'Say what is wrong with the photo',
    summaryTitle: 'Check the errors you report',
    summarySend: 'Send to the school',
    summaryNote: 'Note: {note}',
  },
};
