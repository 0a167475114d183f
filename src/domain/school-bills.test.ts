import { describe, expect, it } from 'vitest';
import { isDomainError } from './errors.js';
import { billFieldsProblem, billsIssuedText, billTitle, isAcademicYear, isBillOverdue, isDueDatePast, nextBillStatus } from './school-bills.js';

const tuition = { kind: 'tuition' as const, academicYear: '2026-2027', course: null, amountFen: 500_000, dueDate: '2026-09-30' };

describe('school bills', () => {
  it('takes an academic year of two consecutive years only', () => {
    expect(isAcademicYear('2026-2027')).toBe(true);
    expect(isAcademicYear('2026-2028')).toBe(false);
    expect(isAcademicYear('2026')).toBe(false);
    expect(isAcademicYear('2026-2027 ')).toBe(false);
    expect(isAcademicYear('0000-0001')).toBe(false);
  });

  it('titles tuition by its year and a retake by its course', () => {
    expect(billTitle(tuition)).toBe('2026-2027学年学费');
    expect(billTitle({ kind: 'retake', academicYear: '2026-2027', course: '高等数学A' })).toBe('重修费：高等数学A');
  });

  it('refuses a retake without a course, tuition with one, and amounts or dates out of range', () => {
    expect(billFieldsProblem(tuition)).toBeNull();
    expect(billFieldsProblem({ ...tuition, course: '高等数学A' })).toBe('course');
    expect(billFieldsProblem({ ...tuition, kind: 'retake' })).toBe('course');
    expect(billFieldsProblem({ ...tuition, kind: 'retake', course: '   ' })).toBe('course');
    expect(billFieldsProblem({ ...tuition, kind: 'retake', course: 'x'.repeat(41) })).toBe('course');
    expect(billFieldsProblem({ ...tuition, kind: 'retake', course: '大学物理' })).toBeNull();
    expect(billFieldsProblem({ ...tuition, kind: 'retake', course: '大学\t物理' })).toBe('course');
    expect(billFieldsProblem({ ...tuition, amountFen: 99 })).toBe('amount');
    expect(billFieldsProblem({ ...tuition, amountFen: 10_000_001 })).toBe('amount');
    expect(billFieldsProblem({ ...tuition, amountFen: 100.5 })).toBe('amount');
    expect(billFieldsProblem({ ...tuition, amountFen: 10_000_000 })).toBeNull();
    expect(billFieldsProblem({ ...tuition, dueDate: '2026-02-30' })).toBe('dueDate');
    expect(billFieldsProblem({ ...tuition, academicYear: '2026-2026' })).toBe('academicYear');
  });

  it('is overdue only after its due date and only while unpaid', () => {
    expect(isBillOverdue({ status: 'unpaid', dueDate: '2026-09-30' }, '2026-09-30')).toBe(false);
    expect(isBillOverdue({ status: 'unpaid', dueDate: '2026-09-30' }, '2026-10-01')).toBe(true);
    expect(isBillOverdue({ status: 'paid', dueDate: '2026-09-30' }, '2026-10-01')).toBe(false);
  });

  it('is paid or cancelled once, from unpaid only', () => {
    expect(nextBillStatus('unpaid', 'pay')).toBe('paid');
    expect(nextBillStatus('unpaid', 'cancel')).toBe('cancelled');
    for (const status of ['paid', 'cancelled'] as const) {
      for (const event of ['pay', 'cancel'] as const) {
        let thrown: unknown;
        try {
          nextBillStatus(status, event);
        } catch (error) {
          thrown = error;
        }
        expect(isDomainError(thrown, 'SCHOOL_BILL_NOT_UNPAID')).toBe(true);
      }
    }
  });

  it('issues a bill due today, not one due before (dates as Beijing days)', () => {
    expect(isDueDatePast('2026-09-01', '2026-09-01')).toBe(false);
    expect(isDueDatePast('2026-09-02', '2026-09-01')).toBe(false);
    expect(isDueDatePast('2026-08-31', '2026-09-01')).toBe(true);
    expect(isDueDatePast('2025-12-31', '2026-01-01')).toBe(true);
  });

  it('tells the family each bill with its amount and due date, naming at most three and counting the rest', () => {
    const retake = (course: string) => ({ ...tuition, kind: 'retake' as const, course, amountFen: 30_000 });
    expect(billsIssuedText('示例大学', '王**', [tuition])).toBe('【北京学生卡】示例大学为您孩子王**开具了账单：2026-2027学年学费 ¥5000.00（2026-09-30 前缴纳）。请在北京学生卡 App“学费及重修费”中缴纳。');
    const many = billsIssuedText('示例大学', '王**', [tuition, retake('大学物理'), retake('线性代数'), retake('概率论')]);
    expect(many).toContain('2026-2027学年学费 ¥5000.00（2026-09-30 前缴纳）；重修费：大学物理 ¥300.00（2026-09-30 前缴纳）；重修费：线性代数 ¥300.00');
    expect(many).not.toContain('概率论');
    expect(many).toContain('等 4 张账单，共 ¥5900.00。');
  });
});
