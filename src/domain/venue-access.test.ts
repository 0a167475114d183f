import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVenueRestricted, venueOpenTo, type Booker, type VenueAudience } from './venue-access.js';

/** Seed 004's practice rooms: the whole music college, and the music majors of the vocational college. */
const pianoRooms: VenueAudience = { colleges: ['音乐学院'], majors: ['音乐表演', '音乐教育'] };
const everyone: VenueAudience = { colleges: [], majors: [] };

describe('who may book a venue (琴房预订, seed 004)', () => {
  it('a music-college student whatever their major, and a music major of another college; not that college’s other students', () => {
    expect(venueOpenTo(pianoRooms, { college: '音乐学院', major: '作曲与作曲技术理论' })).toBe(true);
    expect(venueOpenTo(pianoRooms, { college: '音乐学院', major: null })).toBe(true);
    expect(venueOpenTo(pianoRooms, { college: '高等职业教育与继续教育学院', major: '音乐表演' })).toBe(true);
    expect(venueOpenTo(pianoRooms, { college: null, major: '音乐教育' })).toBe(true);
    expect(venueOpenTo(pianoRooms, { college: '高等职业教育与继续教育学院', major: '会计' })).toBe(false);
    expect(venueOpenTo(pianoRooms, { college: '高等职业教育与继续教育学院', major: null })).toBe(false);
    expect(venueOpenTo(pianoRooms, { college: null, major: null })).toBe(false);
  });

  it('a venue kept for neither colleges nor majors is open to the whole university', () => {
    expect(isVenueRestricted(everyone)).toBe(false);
    expect(venueOpenTo(everyone, { college: null, major: null })).toBe(true);
    expect(isVenueRestricted({ colleges: [], majors: ['音乐表演'] })).toBe(true);
    expect(venueOpenTo({ colleges: [], majors: ['音乐表演'] }, { college: '音乐学院', major: null })).toBe(false);
  });

  it('names are whole: a college never matches a major of the same name, nor a longer or shorter name', () => {
    expect(venueOpenTo({ colleges: ['音乐学'], majors: [] }, { college: '计算机学院', major: '音乐学' })).toBe(false);
    expect(venueOpenTo({ colleges: [], majors: ['音乐学院'] }, { college: '音乐学院', major: null })).toBe(false);
    expect(venueOpenTo({ colleges: ['音乐学院'], majors: [] }, { college: '音乐学', major: null })).toBe(false);
    expect(venueOpenTo({ colleges: [], majors: ['音乐表演'] }, { college: null, major: '音乐表演（师范）' })).toBe(false);
  });
});

const name = fc.constantFrom('音乐学院', '高等职业教育与继续教育学院', '计算机学院', '音乐表演', '音乐教育', '会计', '音乐学');
const venueArb = fc.record({ colleges: fc.uniqueArray(name, { maxLength: 4 }), majors: fc.uniqueArray(name, { maxLength: 4 }) });
const bookerArb = fc.record({ college: fc.option(name, { nil: null }), major: fc.option(name, { nil: null }) });

describe('venue access properties', () => {
  it('open exactly when unrestricted, or the college is among its colleges, or the major among its majors', () => {
    fc.assert(fc.property(venueArb, bookerArb, (venue: VenueAudience, s: Booker) => {
      const expected = (venue.colleges.length === 0 && venue.majors.length === 0) || venue.colleges.some((c) => c === s.college) || venue.majors.some((m) => m === s.major);
      expect(venueOpenTo(venue, s)).toBe(expected);
    }));
  });

  it('naming one more college or major of a restricted venue never shuts out a student it admitted', () => {
    fc.assert(fc.property(venueArb, bookerArb, name, fc.boolean(), (venue, s, extra, asCollege) => {
      fc.pre(isVenueRestricted(venue) && venueOpenTo(venue, s));
      const wider = asCollege ? { ...venue, colleges: [...venue.colleges, extra] } : { ...venue, majors: [...venue.majors, extra] };
      expect(venueOpenTo(wider, s)).toBe(true);
    }));
  });

  it('a student whose college and major are unknown books only venues open to everyone', () => {
    fc.assert(fc.property(venueArb, (venue) => {
      expect(venueOpenTo(venue, { college: null, major: null })).toBe(!isVenueRestricted(venue));
    }));
  });
});
