/**
 * Who may book a campus venue (琴房预订, 预订场馆; seed 004: "音乐学院、高等职业教育与继续教育学院的
 * 音乐类专业同学"). A venue may be kept for named 院系 (colleges) and named 专业 (majors):
 *
 * - with neither, it is open to the whole university;
 * - otherwise a student may book it when their college is one of its colleges, or their major is
 *   one of its majors (the music college as a whole, and the music majors of another college).
 *
 * Names are compared whole and exactly as stored (the roster and the console trim them); a college
 * name never matches a major and the other way round. A student whose college and major are not
 * known books only venues open to everyone. Pure, shared by the server and the web apps.
 */

export interface VenueAudience {
  colleges: readonly string[];
  majors: readonly string[];
}

export interface Booker {
  college: string | null;
  major: string | null;
}

/** Whether the venue is kept for some students only (named colleges or majors). */
export function isVenueRestricted(venue: VenueAudience): boolean {
  return venue.colleges.length > 0 || venue.majors.length > 0;
}

/** Whether the student may see and book the venue. */
export function venueOpenTo(venue: VenueAudience, student: Booker): boolean {
  if (!isVenueRestricted(venue)) return true;
  if (student.college !== null && venue.colleges.includes(student.college)) return true;
  return student.major !== null && venue.majors.includes(student.major);
}
