/** The next year's event as a copy first proposes it: the year in the name and the dates one later. */
export const nextYear = {
	/** `2026古城灯会` → `2027古城灯会`; a name without a year is kept as it is. */
	name(name: string): string {
		return name.replace(/(19|20)\d\d/, (y) => String(Number(y) + 1));
	},
	/** A wall-clock `YYYY-MM-DDTHH:mm` one year later (29 February becomes 28 February). */
	time(local: string): string {
		const m = /^(\d{4})-(\d\d)-(\d\d)(T.*)$/.exec(local);
		if (!m) return local;
		const day = m[2] === '02' && m[3] === '29' ? '28' : m[3];
		return `${Number(m[1]) + 1}-${m[2]}-${day}${m[4]}`;
	}
};
