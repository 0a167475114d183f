import type { Messages } from '../../../shared/i18n.js';

const zh = {
  newSchool: '新建学校',
  schoolCreated: '学校已创建',
  codeHelp: '2–32 位字母、数字或 -',
  nameHelp: '2–64 个字',
  required: '必填',
  classes: '班级',
  classesOf: '{school} · 班级',
  openClasses: '班级',
  grade: '年级',
  classNo: '班号',
  classNoHelp: '1–3 位数字，如 1 或 01',
  addClass: '添加班级',
  classAdded: '班级已添加',
  noClasses: '还没有班级：导入名单前请先添加班级',
  studentsInClass: '学生数',
  viewStudents: '查看学生',
  clickRowHint: '点击一行查看该校的班级',
} as const;

export const schoolMessages: Messages<keyof typeof zh> = {
  'zh-CN': zh,
  en: {
    newSchool: 'New school',
    schoolCreated: 'School created',
    codeHelp: '2–32 letters, digits or -',
    nameHelp: '2–64 characters',
    required: 'Required',
    classes: 'Classes',
    classesOf: '{school} · classes',
    openClasses: 'Classes',
    grade: 'Grade',
    classNo: 'Class no.',
    classNoHelp: '1–3 digits, such as 1 or 01',
    addClass: 'Add class',
    classAdded: 'Class added',
    noClasses: 'No classes yet: add them before importing a roster',
    studentsInClass: 'Students',
    viewStudents: 'View students',
    clickRowHint: "Click a row to see the school's classes",
  },
};
