/**
 * The fuzz suite's generator (tests/fuzz): hostile values from a seed, mutations of valid payloads, and the
 * bookkeeping that lets a failure be replayed. Every case draws from its own generator, seeded by the run's seed
 * and the case's index, so `FUZZ_SEED=<seed> FUZZ_ONLY=<index>` repeats one case exactly (on a fresh server).
 *
 * Strings a case sends carry the case's tag (`fz<surface><index>q`). When the server refuses a case, nothing it
 * stores may carry that tag afterwards: the storage check searches every table and document for tags and looks
 * each one up in the ledger of answers.
 */
import { seededRandom } from './hub.ts';

/** The default seed: CI runs exactly these cases every time. */
export const DEFAULT_SEED = 0x2026_0f22;

export interface FuzzConfig {
	seed: number;
	/** Cases per surface when FUZZ_RUNS is set; otherwise each surface's own default. */
	runs: number | null;
	/** Only this case index (replaying a failure). */
	only: number | null;
}

export function fuzzConfig(): FuzzConfig {
	const int = (name: string): number | null => {
		const raw = process.env[name];
		if (raw === undefined || raw === '') return null;
		const n = Number(raw);
		if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
		return n;
	};
	return { seed: int('FUZZ_SEED') ?? DEFAULT_SEED, runs: int('FUZZ_RUNS'), only: int('FUZZ_ONLY') };
}

/** The case indexes to run for a surface whose default run has `defaultRuns` cases. */
export function caseIndexes(config: FuzzConfig, defaultRuns: number): number[] {
	if (config.only !== null) return [config.only];
	return Array.from({ length: config.runs ?? defaultRuns }, (_, i) => i);
}

export type Rnd = () => number;

/** A case's own generator: the same seed and index give the same case, whatever ran before it. */
export function caseRandom(seed: number, surface: string, index: number): Rnd {
	let h = seed >>> 0;
	for (const ch of `${surface}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
	return seededRandom(h);
}

export function pickOf<T>(rnd: Rnd, list: readonly T[]): T {
	return list[Math.floor(rnd() * list.length)];
}

export function chance(rnd: Rnd, p: number): boolean {
	return rnd() < p;
}

export function tagOf(surface: string, index: number): string {
	return `fz${surface}${index}q`;
}

/** Every tag in a text. */
export const TAG_RE = /fz[a-z]\d+q/g;

// ---- hostile values ------------------------------------------------------------------------------------------

/** Strings that break things: encodings, markup, SQL, control characters, look-alike numbers and times. */
const NASTY_STRINGS: readonly string[] = [
	'',
	' ',
	'\t\n\r',
	'\u0000',
	'a\u0000b',
	'\uD800',
	'x\uDFFFy',
	'\uDBFF\uDFFF',
	'\u202Eevil\u202C',
	'مرحبا بالعالم',
	'\u200B\u200C\u200D\uFEFF',
	'\uFFFE\uFFFF',
	'e\u0301\u0301\u0301\u0301\u0301',
	'👮‍♀️🚓🏮',
	'𠜎𠜱𠝹',
	"' OR '1'='1' --",
	"'); DROP TABLE users; --",
	'"; SELECT pg_sleep(5); --',
	'\\',
	'\\x00\\u0000',
	'<script>alert(1)</script>',
	'<img src=x onerror=alert(1)>',
	'javascript:alert(1)',
	'{{constructor.constructor("return process")()}}',
	'${process.exit(1)}',
	'%s%s%n%x',
	'../../../../etc/passwd',
	'CON',
	'=cmd|" /C calc"!A0',
	'+SUM(1,1)',
	'@SUM(1)',
	'-2+3',
	'NaN',
	'Infinity',
	'-0',
	'1e400',
	'99999999999999999999999999999999',
	'0x1F',
	'true',
	'null',
	'undefined',
	'[]',
	'{}',
	'__proto__',
	'constructor',
	'prototype',
	'toString',
	'hasOwnProperty',
	'0000-00-00T00:00',
	'2026-02-30T10:00',
	'2026-13-01T00:00+08:00',
	'9999-12-31T23:59',
	'+275760-09-13T00:00:00Z',
	'-271821-04-20T00:00:00Z',
	'1970-01-01T00:00:00Z',
	'2026-02-12T18:00:00+99:99',
	'Asia/Nowhere',
	'#gggggg',
	'demo-lantern-2026',
	'station',
	'commander'
];

/** A string with the case's tag somewhere in it, built from the hostile pieces. */
export function hostileString(rnd: Rnd, tag: string): string {
	const piece = () => pickOf(rnd, NASTY_STRINGS);
	switch (Math.floor(rnd() * 9)) {
		case 0:
			return piece();
		case 1:
			return `${piece()}${tag}${piece()}`;
		case 2:
			// Long: over every field's limit, sometimes over a message's.
			return tag + pickOf(rnd, ['x', '长', '👮', '\u200B']).repeat(pickOf(rnd, [81, 201, 501, 1001, 20_001, 70_000]));
		case 3:
			return `${tag} ${piece()} ${piece()} ${piece()}`;
		case 4:
			// Around a limit: exactly 80, 120 or 200 characters, or one more.
			return (tag + '测'.repeat(400)).slice(0, pickOf(rnd, [40, 41, 80, 81, 120, 121, 200, 201, 500, 501]));
		case 5:
			return `  ${tag}  `;
		case 6:
			return Array.from({ length: 1 + Math.floor(rnd() * 6) }, piece).join('') + tag;
		case 7:
			return String.fromCharCode(...Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 0x10000))) + tag;
		default:
			return `${tag}${piece()}`;
	}
}

/** An object with keys that pollute prototypes when merged carelessly (own keys, as JSON.parse makes them). */
function pollutingObject(rnd: Rnd, tag: string): Record<string, unknown> {
	return JSON.parse(
		pickOf(rnd, [
			`{"__proto__": {"isAdmin": true, "polluted": "${tag}"}}`,
			`{"constructor": {"prototype": {"polluted": "${tag}"}}}`,
			`{"__proto__": null, "toString": "${tag}", "valueOf": 1}`,
			`{"hasOwnProperty": "${tag}", "length": -1}`
		])
	);
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
	let v = leaf;
	for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
	return v;
}

/** Any value at all: wrong types, nesting, polluting keys, special numbers, hostile strings. */
export function hostileValue(rnd: Rnd, tag: string): unknown {
	switch (Math.floor(rnd() * 14)) {
		case 0:
			return null;
		case 1:
			return undefined;
		case 2:
			return pickOf(rnd, [0, -1, 1.5, -0, NaN, Infinity, -Infinity, 2 ** 53 + 1, Number.MAX_VALUE, 1e-320, 4294967296]);
		case 3:
			return rnd() < 0.5;
		case 4:
			return [];
		case 5:
			return [hostileString(rnd, tag), hostileString(rnd, tag)];
		case 6:
			return {};
		case 7:
			return pollutingObject(rnd, tag);
		case 8:
			return nested(pickOf(rnd, [10, 100, 1000, 3000]), tag, rnd() < 0.5);
		case 9:
			return { value: hostileString(rnd, tag) };
		case 10:
			return 12345678901234567890n.toString() + tag;
		default:
			return hostileString(rnd, tag);
	}
}

// ---- mutations of valid payloads -----------------------------------------------------------------------------

export type Payload = Record<string, unknown>;

/**
 * A valid payload with one thing broken: one field replaced by a hostile value or a hostile string, a field
 * removed, a field added (polluting keys included), or a text field tagged but otherwise left valid (which the
 * server may well accept: that is how accepted cases arise and are then checked in storage). Sometimes the whole
 * payload is replaced by something that is not an object at all.
 */
export function mutatePayload(rnd: Rnd, base: Payload, tag: string): unknown {
	const out: Payload = { ...base };
	const keys = Object.keys(out);
	const key = keys.length ? pickOf(rnd, keys) : 'x';
	const roll = rnd();
	if (roll < 0.06) return hostileValue(rnd, tag);
	if (roll < 0.1) return [base];
	if (roll < 0.35) out[key] = hostileValue(rnd, tag);
	else if (roll < 0.55) out[key] = hostileString(rnd, tag);
	else if (roll < 0.63) delete out[key];
	else if (roll < 0.7) Object.assign(out, JSON.parse(`{"${pickOf(rnd, ['__proto__', 'constructor', 'extra', 'isAdmin'])}": ${JSON.stringify({ polluted: tag })}}`));
	else {
		// Tagged but plausible: the server should usually accept it (strings only; others get the hostile treatment).
		const textKeys = keys.filter((k) => typeof out[k] === 'string' && (out[k] as string).length > 0);
		if (textKeys.length) {
			const k = pickOf(rnd, textKeys);
			out[k] = `${out[k]} ${tag}`;
		} else out[key] = hostileString(rnd, tag);
	}
	return out;
}

/** The same for form fields: every value a string, fields dropped, doubled or added. */
export function mutateFields(rnd: Rnd, base: Record<string, string>, tag: string): Array<[string, string]> {
	const entries = Object.entries(base);
	const roll = rnd();
	if (roll < 0.05) return [];
	if (roll < 0.1) return [[hostileString(rnd, tag), hostileString(rnd, tag)]];
	const i = entries.length ? Math.floor(rnd() * entries.length) : -1;
	if (roll < 0.45 && i >= 0) entries[i] = [entries[i][0], hostileString(rnd, tag)];
	else if (roll < 0.55 && i >= 0) entries.splice(i, 1);
	else if (roll < 0.62 && i >= 0) entries.push([entries[i][0], hostileString(rnd, tag)]);
	else if (roll < 0.68) entries.push([pickOf(rnd, ['__proto__', 'constructor', 'prototype', hostileString(rnd, tag)]), tag]);
	else if (i >= 0 && entries[i][1]) entries[i] = [entries[i][0], `${entries[i][1]} ${tag}`];
	else entries.push(['note', tag]);
	return entries;
}

// ---- reporting -----------------------------------------------------------------------------------------------

/** A case's input as text for a failure message: long strings shortened, odd characters escaped. */
export function showInput(value: unknown, max = 600): string {
	let text: string;
	try {
		text = JSON.stringify(value, (_k, v) => {
			if (typeof v === 'string' && v.length > 120) return `${v.slice(0, 60)}…(${v.length} chars)…${v.slice(-20)}`;
			if (typeof v === 'number' && !Number.isFinite(v)) return `<${v}>`;
			if (typeof v === 'bigint') return `<${v}n>`;
			if (v === undefined) return '<undefined>';
			if (v instanceof Uint8Array) return `<${v.length} bytes>`;
			return v;
		}) ?? String(value);
	} catch (err) {
		text = `<unprintable: ${(err as Error).message}>`;
	}
	text = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Tallies of answers per kind, and the failures found, each with what replays it. */
export class FuzzLedger {
	/** What the surface is called in reports. */
	readonly name: string;
	/** The one letter of its tags. */
	readonly surface: string;
	readonly seed: number;
	readonly counts = new Map<string, Map<string, number>>();
	readonly problems: string[] = [];
	/** Tags of the cases the server accepted (their strings may be stored). */
	readonly acceptedTags = new Set<string>();
	/** Tags of every case that ran. */
	readonly sentTags = new Map<string, string>();

	constructor(name: string, surface: string, seed: number) {
		if (!/^[a-z]$/.test(surface)) throw new Error('a surface is one lower-case letter');
		this.name = name;
		this.surface = surface;
		this.seed = seed;
	}

	count(target: string, outcome: string): void {
		let m = this.counts.get(target);
		if (!m) this.counts.set(target, (m = new Map()));
		m.set(outcome, (m.get(outcome) ?? 0) + 1);
	}

	/** Records a case's outcome: `accepted` marks its tag as allowed in storage. */
	record(index: number, target: string, outcome: string, accepted: boolean): void {
		this.count(target, outcome);
		const tag = tagOf(this.surface, index);
		this.sentTags.set(tag, target);
		if (accepted) this.acceptedTags.add(tag);
	}

	fail(index: number | null, what: string, input?: unknown): void {
		const replay = index === null ? `FUZZ_SEED=${this.seed}` : `FUZZ_SEED=${this.seed} FUZZ_ONLY=${index}`;
		const line = `[${this.name}${index === null ? '' : ` case ${index}`}] ${what}${input === undefined ? '' : `\n    input: ${showInput(input)}`}\n    replay: ${replay}`;
		if (this.problems.length < 50) this.problems.push(line);
	}

	total(): number {
		let n = 0;
		for (const m of this.counts.values()) for (const v of m.values()) n += v;
		return n;
	}

	/** How many cases of a target ended with an outcome matching `re`. */
	tally(target: string | RegExp, outcome: RegExp): number {
		let n = 0;
		for (const [t, m] of this.counts) {
			if (typeof target === 'string' ? t !== target : !target.test(t)) continue;
			for (const [o, v] of m) if (outcome.test(o)) n += v;
		}
		return n;
	}

	summary(): string {
		const lines = [`${this.name}: ${this.total()} cases (seed ${this.seed})`];
		for (const [t, m] of [...this.counts].sort()) lines.push(`  ${t}: ${[...m].sort().map(([o, v]) => `${o} ${v}`).join(', ')}`);
		return lines.join('\n');
	}
}
