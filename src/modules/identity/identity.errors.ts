import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';

registerErrors({
  STAFF_USERNAME_TAKEN: { status: 409, zh: '用户名已被使用', en: 'That username is taken' },
  STAFF_SCHOOL_REQUIRED: { status: 400, zh: '学校卡管员必须指定学校', en: 'A school card manager needs a school' },
  AUTH_THROTTLED: { status: 429, zh: '尝试次数过多，请稍后再试', en: 'Too many attempts; wait a moment and try again' },
  AUTH_LOCKED: { status: 429, zh: '该账号失败次数过多，已暂时锁定，请一小时后再试', en: 'Too many failed attempts on this account; try again within the hour' },
  PASSWORD_WRONG: { status: 400, zh: '原密码不正确', en: 'The current password is wrong' },
  DATA_EXPORT_PASSWORD_INITIAL: { status: 403, zh: '请先修改初始密码，再导出数据', en: 'Change your initial password before exporting your data' },
  DATA_EXPORT_TOO_SOON: { status: 429, zh: '刚刚已导出过数据，请 10 分钟后再试', en: 'Your data was just exported; try again in 10 minutes' },
  QUERY_PASSWORD_REQUIRED: { status: 400, zh: '请输入校园卡查询密码', en: 'Enter the campus card query password' },
  QUERY_PASSWORD_WRONG: { status: 400, zh: '查询密码不正确', en: 'The query password is wrong' },
  QUERY_PASSWORD_INITIAL: { status: 403, zh: '初始查询密码只能用于登录。请用学号和查询密码登录校园卡 App，按提示修改查询密码后再试', en: 'The initial query password only signs you in. Sign in to the campus card app with your student number and query password, change it as asked, then try again' },
  PASSWORD_TOO_SHORT: { status: 400, zh: '密码至少 8 位', en: 'The password needs at least 8 characters' },
  PASSWORD_TOO_LONG: { status: 400, zh: '密码最多 64 位', en: 'The password may have at most 64 characters' },
  PASSWORD_TOO_WEAK: { status: 400, zh: '密码须同时包含字母和数字', en: 'The password needs both letters and digits' },
  PASSWORD_FORMAT: { status: 400, zh: '查询密码须为 6 位数字', en: 'The query password must be 6 digits' },
  PASSWORD_RUN: { status: 400, zh: '密码不能包含连续数字（如 123、987）', en: 'The password may not contain a run like 123 or 987' },
  PASSWORD_REPEAT: { status: 400, zh: '密码不能包含三个相同数字（如 111）', en: 'The password may not repeat a digit three times (like 111)' },
  PASSWORD_SAME_AS_INITIAL: { status: 400, zh: '新密码不能与初始密码相同', en: 'The new password may not be the initial one' },
  STUDENT_COLLEGE_CAMPUS_ONLY: { status: 400, zh: '院系仅适用于高校和职业院校的学生', en: 'A college applies to university and vocational students only' },
  STUDENT_MAJOR_CAMPUS_ONLY: { status: 400, zh: '专业仅适用于高校和职业院校的学生', en: 'A major applies to university and vocational students only' },
  STUDENT_STUDY_LEVEL_CAMPUS_ONLY: { status: 400, zh: '培养层次和学习形式仅适用于高校和职业院校的学生', en: 'A study level and mode apply to university and vocational students only' },
  CAMPUS_ACCOUNT_NONE: { status: 422, zh: '该学生不是高校或职业院校学生，没有校园卡查询密码', en: 'This student is not at a university or vocational college and has no campus query password' },
  PASSWORD_CHANGE_CHANNEL: { status: 403, zh: '消费密码只能在自助终端修改', en: 'The consumption password can only be changed at a self-service kiosk' },
  IDENTITY_NOT_VERIFIED: { status: 400, zh: '身份信息核验未通过，请检查姓名、证件号等信息是否有错别字', en: 'The identity details did not match; check the name and numbers for typos' },
  OTP_INVALID: { status: 400, zh: '验证码错误或已过期', en: 'The verification code is wrong or has expired' },
  PARENT_ALREADY_BOUND: { status: 409, zh: '该家长已绑定此学生', en: 'This parent is already bound to the student' },
  PARENT_CHILD_LIMIT: { status: 409, zh: '一个家长账号最多绑定 3 名中小学生和 1 名大学生', en: 'A parent account holds at most 3 school children and 1 university student' },
  BINDING_NOT_FOUND: { status: 404, zh: '绑定关系不存在', en: 'No such binding' },
  PHONE_FORMAT: { status: 400, zh: '手机号格式不正确', en: 'The mobile number is malformed' },
  EDUCATION_ID_FORMAT: { status: 400, zh: '教育ID应为 8 位数字', en: 'An education ID is 8 digits' },
  ID_NUMBER_FORMAT: { status: 400, zh: '身份证号格式不正确', en: 'The ID number is malformed' },
  ID_NUMBER_CHECKSUM: { status: 400, zh: '身份证号校验位不正确', en: 'The ID number check digit is wrong' },
  ID_NUMBER_BIRTH_DATE: { status: 400, zh: '身份证号中的出生日期无效', en: 'The birth date inside the ID number is not valid' },
  BIRTH_DATE_MISMATCH: { status: 400, zh: '出生日期与身份证号不一致', en: 'The birth date does not match the ID number' },
  CONSENT_NOT_NEEDED: { status: 422, zh: '学生已满 14 周岁，无需监护人同意', en: 'The student is 14 or older; no guardian consent is needed' },
});

registerErrors({
  EDUCATION_ID_TAKEN: { status: 409, zh: '该教育ID已存在', en: 'A student with this education ID exists' },
  SCHOOL_CODE_TAKEN: { status: 409, zh: '学校代码已存在', en: 'A school with this code exists' },
  CLASS_UNKNOWN: { status: 400, zh: '班级不存在', en: 'No such class in this school' },
  CLASS_EXISTS: { status: 409, zh: '班级已存在', en: 'The class exists already' },
  PHOTO_FORMAT: { status: 415, zh: '照片须为 JPEG 或 PNG', en: 'A photo must be JPEG or PNG' },
  PHOTO_TOO_LARGE: { status: 413, zh: '照片不能超过 500 KB', en: 'A photo may be at most 500 KB' },
});

registerConstraintErrors({
  // A class added to a school that does not exist (an operator may name any school id).
  classes_school_id_fkey: 'NOT_FOUND',
});
