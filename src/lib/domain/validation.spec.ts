import { describe, it, expect } from 'vitest';
import { checkEvent, checkTeam, checkUser, parseInstant, parseTimeIn, toLocalInputValue, zoneOffsetMs } from './validation.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('parseTimeIn', () => {
	it('reads a datetime-local value as wall-clock time in Asia/Shanghai (UTC+8)', () => {
		expect(iso(parseTimeIn('2026-02-12T18:00', 'Asia/Shanghai'))).toBe('2026-02-12T10:00:00.000Z');
	});

	it('reads seconds and a space between date and time', () => {
		expect(iso(parseTimeIn('2026-02-12 18:00:30', 'Asia/Shanghai'))).toBe('2026-02-12T10:00:30.000Z');
	});

	it('moves across midnight and the year end into the previous UTC day', () => {
		expect(iso(parseTimeIn('2026-01-01T03:00', 'Asia/Shanghai'))).toBe('2025-12-31T19:00:00.000Z');
	});

	it('keeps an ISO time that carries its own offset, whatever the zone', () => {
		expect(iso(parseTimeIn('2026-02-12T18:00:00+08:00', 'Europe/London'))).toBe('2026-02-12T10:00:00.000Z');
		expect(iso(parseTimeIn('2026-02-12T10:00:00Z', 'Asia/Shanghai'))).toBe('2026-02-12T10:00:00.000Z');
		expect(iso(parseTimeIn('2026-02-12T05:00:00-0500', 'Asia/Shanghai'))).toBe('2026-02-12T10:00:00.000Z');
	});

	it('follows daylight saving time in zones that have it', () => {
		expect(iso(parseTimeIn('2026-01-15T12:00', 'America/New_York'))).toBe('2026-01-15T17:00:00.000Z');
		expect(iso(parseTimeIn('2026-07-15T12:00', 'America/New_York'))).toBe('2026-07-15T16:00:00.000Z');
		// The first wall-clock hour after the spring change (2026-03-08 03:00 EDT).
		expect(iso(parseTimeIn('2026-03-08T03:30', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
	});

	it('refuses dates and times that do not exist on the calendar', () => {
		expect(parseTimeIn('2026-02-30T10:00', 'Asia/Shanghai')).toBeNull();
		expect(parseTimeIn('2026-13-01T10:00', 'Asia/Shanghai')).toBeNull();
		expect(parseTimeIn('2026-02-12T24:00', 'Asia/Shanghai')).toBeNull();
		expect(parseTimeIn('2026-02-12T18:60', 'Asia/Shanghai')).toBeNull();
	});

	it('refuses empty input, dates without a time and other text', () => {
		expect(parseTimeIn('', 'Asia/Shanghai')).toBeNull();
		expect(parseTimeIn('2026-02-12', 'Asia/Shanghai')).toBeNull();
		expect(parseTimeIn('tomorrow at six', 'Asia/Shanghai')).toBeNull();
		expect(parseTimeIn('not a date Z', 'Asia/Shanghai')).toBeNull();
	});

	it('round-trips with toLocalInputValue, the value a datetime-local input shows', () => {
		const at = new Date('2026-02-12T10:00:00.000Z');
		expect(toLocalInputValue(at, 'Asia/Shanghai')).toBe('2026-02-12T18:00');
		expect(iso(parseTimeIn(toLocalInputValue(at, 'Asia/Shanghai'), 'Asia/Shanghai'))).toBe(at.toISOString());
	});

	it('knows Asia/Shanghai as eight hours ahead of UTC', () => {
		expect(zoneOffsetMs(new Date('2026-07-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 60 * 60 * 1000);
	});
});

describe('checkEvent', () => {
	const valid = { name: ' 元宵灯会 ', venue: '人民广场', startsAt: '2026-02-12T18:00', endsAt: '2026-02-12T23:00' };

	it('accepts an event, reads its times in Asia/Shanghai by default and trims the name', () => {
		const r = checkEvent(valid);
		expect(r).toEqual({
			ok: true,
			value: {
				name: '元宵灯会',
				venue: '人民广场',
				startsAt: new Date('2026-02-12T10:00:00.000Z'),
				endsAt: new Date('2026-02-12T15:00:00.000Z'),
				timezone: 'Asia/Shanghai',
				checkinGraceMinutes: 10,
				locale: 'zh-CN',
				drill: false
			}
		});
	});

	it('marks a drill from its checkbox and refuses a value no checkbox sends', () => {
		expect(checkEvent({ ...valid, drill: 'on' })).toMatchObject({ ok: true, value: { drill: true } });
		expect(checkEvent({ ...valid, drill: 'false' })).toMatchObject({ ok: true, value: { drill: false } });
		expect(checkEvent({ ...valid, drill: 'perhaps' })).toEqual({ ok: false, errors: { drill: 'invalidChoice' } });
	});

	it('takes English as a wall language and refuses any other', () => {
		expect(checkEvent({ ...valid, locale: 'en' })).toMatchObject({ ok: true, value: { locale: 'en' } });
		expect(checkEvent({ ...valid, locale: 'fr' })).toEqual({ ok: false, errors: { locale: 'invalidChoice' } });
	});

	it('reads the times in the time zone given with the event', () => {
		const r = checkEvent({ ...valid, timezone: 'Europe/London' });
		expect(r.ok && r.value.startsAt.toISOString()).toBe('2026-02-12T18:00:00.000Z');
	});

	it('names a missing name and missing times as required', () => {
		const r = checkEvent({ name: '  ', startsAt: '', endsAt: '' });
		expect(r).toMatchObject({ ok: false, errors: { name: 'required', startsAt: 'required', endsAt: 'required' } });
	});

	it('names an impossible time as invalid', () => {
		const r = checkEvent({ ...valid, startsAt: '2026-02-30T18:00' });
		expect(r).toEqual({ ok: false, errors: { startsAt: 'invalidTime' } });
	});

	it('refuses an end that is not after the start, on the end field', () => {
		expect(checkEvent({ ...valid, endsAt: valid.startsAt })).toEqual({ ok: false, errors: { endsAt: 'endBeforeStart' } });
		expect(checkEvent({ ...valid, endsAt: '2026-02-12T17:59' })).toEqual({ ok: false, errors: { endsAt: 'endBeforeStart' } });
	});

	it('refuses an unknown time zone', () => {
		expect(checkEvent({ ...valid, timezone: 'Mars/Olympus' })).toMatchObject({ ok: false, errors: { timezone: 'invalidTimezone' } });
	});

	it('refuses a name and a venue that are too long, counting characters rather than bytes', () => {
		expect(checkEvent({ ...valid, name: '灯'.repeat(80) }).ok).toBe(true);
		expect(checkEvent({ ...valid, name: '灯'.repeat(81) })).toMatchObject({ ok: false, errors: { name: 'tooLong' } });
		expect(checkEvent({ ...valid, venue: '场'.repeat(121) })).toMatchObject({ ok: false, errors: { venue: 'tooLong' } });
	});

	it('takes check-in grace minutes from 0 to 240 and refuses anything else', () => {
		expect(checkEvent({ ...valid, checkinGraceMinutes: '0' })).toMatchObject({ ok: true, value: { checkinGraceMinutes: 0 } });
		expect(checkEvent({ ...valid, checkinGraceMinutes: '240' })).toMatchObject({ ok: true, value: { checkinGraceMinutes: 240 } });
		for (const bad of ['-1', '241', '7.5', 'ten']) {
			expect(checkEvent({ ...valid, checkinGraceMinutes: bad })).toMatchObject({ ok: false, errors: { checkinGraceMinutes: 'outOfRange' } });
		}
	});

	it('ignores values that are not strings instead of throwing', () => {
		const r = checkEvent({ name: 42, startsAt: { evil: true }, endsAt: ['2026'] });
		expect(r).toMatchObject({ ok: false, errors: { name: 'required', startsAt: 'required', endsAt: 'required' } });
	});
});

describe('checkUser', () => {
	const valid = { username: 'Wang.Qiang', displayName: '王强', password: 'long-enough', phone: '138 0000 0000' };

	it('accepts a new user, lowercasing the username and reading checkbox flags', () => {
		const r = checkUser({ ...valid, agencyCode: 'traffic', isAdmin: 'on', clearedPersonalData: 'true' }, true);
		expect(r).toEqual({
			ok: true,
			value: {
				username: 'wang.qiang',
				displayName: '王强',
				password: 'long-enough',
				agencyCode: 'traffic',
				teamId: null,
				isAdmin: true,
				clearedPersonalData: true,
				phone: '138 0000 0000'
			}
		});
	});

	it('leaves the flags off when the checkboxes are absent', () => {
		const r = checkUser(valid, true);
		expect(r).toMatchObject({ ok: true, value: { isAdmin: false, clearedPersonalData: false } });
	});

	it('requires a password when creating, and keeps the old one when editing without one', () => {
		expect(checkUser({ ...valid, password: '' }, true)).toMatchObject({ ok: false, errors: { password: 'required' } });
		expect(checkUser({ ...valid, password: '' }, false)).toMatchObject({ ok: true, value: { password: null } });
	});

	it('refuses a password shorter than 8 or longer than 200 characters, even when editing', () => {
		expect(checkUser({ ...valid, password: '1234567' }, false)).toMatchObject({ ok: false, errors: { password: 'tooShort' } });
		expect(checkUser({ ...valid, password: '12345678' }, false).ok).toBe(true);
		expect(checkUser({ ...valid, password: 'x'.repeat(201) }, true)).toMatchObject({ ok: false, errors: { password: 'tooLong' } });
	});

	it('refuses usernames with spaces, Chinese characters or a leading punctuation mark', () => {
		for (const username of ['wang qiang', '王强', '.wang', '-wang', 'wang@station']) {
			expect(checkUser({ ...valid, username }, true)).toMatchObject({ ok: false, errors: { username: 'invalidFormat' } });
		}
		expect(checkUser({ ...valid, username: 'x'.repeat(41) }, true)).toMatchObject({ ok: false, errors: { username: 'tooLong' } });
	});

	it('requires a display name and refuses a malformed phone number', () => {
		const r = checkUser({ ...valid, displayName: '', phone: 'call me' }, true);
		expect(r).toEqual({ ok: false, errors: { displayName: 'required', phone: 'invalidFormat' } });
	});
});

describe('checkTeam', () => {
	it('accepts a brigade without a parent', () => {
		expect(checkTeam({ agencyCode: 'patrol', level: 'brigade', name: '城关大队' })).toEqual({
			ok: true,
			value: { agencyCode: 'patrol', parentId: null, level: 'brigade', name: '城关大队' }
		});
	});

	it('refuses a brigade with a parent', () => {
		expect(checkTeam({ agencyCode: 'patrol', level: 'brigade', name: '城关大队', parentId: 'b1' })).toEqual({
			ok: false,
			errors: { parentId: 'wrongParent' }
		});
	});

	it('requires a parent for a squadron and for a unit', () => {
		for (const level of ['squadron', 'unit']) {
			expect(checkTeam({ agencyCode: 'patrol', level, name: '一中队' })).toEqual({ ok: false, errors: { parentId: 'required' } });
			expect(checkTeam({ agencyCode: 'patrol', level, name: '一中队', parentId: 'p1' }).ok).toBe(true);
		}
	});

	it('names a missing level as required and an unknown one as an invalid choice', () => {
		expect(checkTeam({ agencyCode: 'patrol', name: '某队' })).toMatchObject({ ok: false, errors: { level: 'required' } });
		expect(checkTeam({ agencyCode: 'patrol', name: '某队', level: 'platoon' })).toMatchObject({ ok: false, errors: { level: 'invalidChoice' } });
	});

	it('requires an agency and a name', () => {
		expect(checkTeam({ level: 'brigade' })).toEqual({ ok: false, errors: { agencyCode: 'required', name: 'required' } });
	});
});

describe('parseInstant', () => {
	it('reads ISO times the database can store', () => {
		expect(parseInstant('2026-02-12T10:00:00Z')?.toISOString()).toBe('2026-02-12T10:00:00.000Z');
		expect(parseInstant('2026-02-12T18:00:00+08:00')?.toISOString()).toBe('2026-02-12T10:00:00.000Z');
	});

	it('refuses nothing, nonsense and years the database cannot read back', () => {
		for (const raw of [null, undefined, '', 'yesterday', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '10000-01-01T00:00:00Z']) {
			expect(parseInstant(raw)).toBeNull();
		}
	});
});
