/** The event form's values, shared by its component and the create and edit actions. */
import { DEFAULT_TIMEZONE } from '$lib/domain/roles';
import { toLocalInputValue } from '$lib/domain/validation';

export interface EventFormValues {
	name: string;
	venue: string;
	startsAt: string;
	endsAt: string;
	timezone: string;
	checkinGraceMinutes: string;
	locale: string;
	/** "on" when the event is a drill (演练), as the checkbox sends it; empty otherwise. */
	drill: string;
	/** The id of the event this one follows, or empty. */
	basedOn: string;
}

/** An event offered as "last time": its name and when it began, in its own time zone. */
export interface PreviousChoice {
	id: string;
	label: string;
}

export const EVENT_FIELDS = ['name', 'venue', 'startsAt', 'endsAt', 'timezone', 'checkinGraceMinutes', 'locale', 'drill', 'basedOn'] as const;

export const BLANK_EVENT: EventFormValues = {
	name: '',
	venue: '',
	startsAt: '',
	endsAt: '',
	timezone: DEFAULT_TIMEZONE,
	checkinGraceMinutes: '10',
	locale: 'zh-CN',
	drill: '',
	basedOn: ''
};

/** A saved event as the form shows it: times as wall clock in the event's own time zone. */
export function eventFormValues(e: {
	name: string;
	venue: string;
	startsAt: Date;
	endsAt: Date;
	timezone: string;
	checkinGraceMinutes: number;
	locale: string;
	drill: boolean;
	basedOn: string | null;
}): EventFormValues {
	return {
		name: e.name,
		venue: e.venue,
		startsAt: toLocalInputValue(e.startsAt, e.timezone),
		endsAt: toLocalInputValue(e.endsAt, e.timezone),
		timezone: e.timezone,
		checkinGraceMinutes: String(e.checkinGraceMinutes),
		locale: e.locale,
		drill: e.drill ? 'on' : '',
		basedOn: e.basedOn ?? ''
	};
}

/** Time zones offered in the list; any IANA name may be typed. */
export const COMMON_TIMEZONES = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei', 'UTC'];

/** The events an event may follow: every other one, newest first, named with the day it began. */
export function previousChoices(events: Array<{ id: string; name: string; startsAt: Date; timezone: string }>, self: string | null): PreviousChoice[] {
	return events.filter((e) => e.id !== self).map((e) => ({ id: e.id, label: `${e.name}（${toLocalInputValue(e.startsAt, e.timezone).slice(0, 10)}）` }));
}
