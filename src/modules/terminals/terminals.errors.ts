import { registerErrors } from '../../platform/errors.js';

registerErrors({
  TERMINAL_CODE_TAKEN: { status: 409, zh: '终端编号已存在', en: 'A terminal with this code exists' },
  TERMINAL_SCHOOL_REQUIRED: { status: 400, zh: '食堂收银机和宿舍读卡器须指定所属学校（高校）', en: 'A canteen POS or dorm reader needs the university it serves' },
  TERMINAL_SCHOOL_INVALID: { status: 422, zh: '所选学校不是高校或职业院校，或不存在；公交、地铁终端不属于学校', en: 'That school is no university or vocational college, or does not exist; transit terminals belong to no school' },
});
