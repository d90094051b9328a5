/**
 * Issue 9, point 4, in real Chromium: stored XSS attempts in every text field the app renders stay inert. Each
 * field is given markup that would run if it were ever inserted as HTML (`<img onerror>`, `<script>`,
 * `"><svg onload>`, a `javascript:` URL, an `alert`), through the same doors people use: the admin pages'
 * forms, stock y-websocket clients, the command channel and the review page's actions. Then every page that
 * shows them is opened — board, card editor, disputes and a dispute with its parties (for a cleared reader),
 * roster views, instructions, the wall, the review and print views, the admin pages, the sign-in page — and must
 * show the text literally, build no element from it, run nothing and open no dialog.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, loginAs, newContext } from '../helpers/browser.ts';
import { HttpClient } from '../helpers/http.ts';
import { signIn } from '../helpers/accounts.ts';
import { command, createDisplayToken } from '../helpers/commands.ts';
import { connectCommands, connectDoc, DEMO_EVENT, DEMO_PASSWORD, eventually, whenSynced, type LiveDoc } from '../helpers/live.ts';
import { addCard, addChecklistItem, addComment, cardsOf } from '../../src/lib/domain/board.ts';
import { addDispute, setParties } from '../../src/lib/domain/dispute-doc.ts';
import { addShift, savePeriod, savePost } from '../../src/lib/domain/roster-write.ts';
import { agencyDocName, commandDocName, restrictedDocName } from '../../src/lib/domain/documents.ts';
import { DEMO_USERS } from '../../src/lib/server/demo/demo-data.ts';

/** Markup that does something if it is ever parsed as HTML or followed as a link. */
const P = {
	img: '<img src=x onerror=window.__xss=1>',
	script: '<script>window.__xss=1</script>',
	svg: '"><svg onload=window.__xss=1>',
	js: 'javascript:window.__xss=1',
	alert: '<img src=y onerror=alert(1)>'
} as const;
const ALL = `${P.img}${P.script}${P.svg} ${P.js} ${P.alert}`;

/** What each field is set to: a tag to tell them apart, then markup (all of it where the field is long enough). */
const T = {
	agency: `派出所${P.svg}`,
	team: `治安中队${P.img}`,
	userName: `王建国${P.svg}`,
	eventName: `灯会${P.img}${P.alert}`,
	venue: `古城${P.script}${P.svg}`,
	cardTitle: `卡片 ${ALL}`,
	cardNotes: `备注 ${ALL}`,
	cardLocation: `地点 ${P.img}${P.js}`,
	checklist: `清单 ${P.svg}${P.alert}`,
	comment: `评论 ${ALL}`,
	disputeSummary: `纠纷 ${ALL}`,
	disputeLocation: `纠纷地点 ${P.svg}`,
	masked: `张*${P.img}`,
	progress: `进展 ${ALL}`,
	partyName: `当事人${P.img}`,
	partyAddress: `地址 ${P.svg}${P.js}`,
	partyNote: `说明 ${ALL}`,
	postName: `岗位${P.img}${P.alert}`,
	postLocation: `岗点 ${P.svg}`,
	periodName: `时段${P.img}`,
	personName: `辅警${P.svg}`,
	personRole: `角色${P.img}`,
	shiftNotes: `班次 ${ALL}`,
	instruction: `指令 ${ALL}`,
	strength: `优点 ${ALL}`,
	area: `领域 ${P.svg}${P.img}`,
	observation: `观察 ${ALL}`,
	rootCause: `原因 ${ALL}`,
	action: `措施 ${ALL}`,
	contact: `联系人${P.img}`,
	arrival: `移交 ${ALL}`
} as const;

const EVENT = DEMO_EVENT;
const user = (username: string) => DEMO_USERS.find((u) => u.username === username)!;

/** How a page did: what ran, what was built from the text, and which of the expected texts it shows literally. */
interface Inspection {
	xss: unknown;
	dialogs: string[];
	built: string[];
	missing: string[];
}

describe('stored XSS attempts in every rendered text field', () => {
	let server: TestServer;
	let browser: Browser;
	const pages = new Map<string, Page>();
	const dialogs = new Map<Page, string[]>();
	const open: LiveDoc[] = [];
	let wallToken = '';

	async function seat(username: string): Promise<Page> {
		const context = await newContext(browser, 'desktop');
		const page = await context.newPage();
		dialogs.set(page, []);
		page.on('dialog', (d) => {
			dialogs.get(page)!.push(`${d.type()}: ${d.message()}`);
			void d.dismiss();
		});
		if (username !== 'anonymous') await loginAs(page, server.url, username, DEMO_PASSWORD);
		pages.set(username, page);
		return page;
	}

	/** Opens a path, waits until it shows `expected` (all of it), and reports what it ran and built. */
	async function inspect(page: Page, path: string, expected: string[]): Promise<Inspection> {
		// Dialogs are counted per page visited, so a failure names the page that opened one.
		dialogs.get(page)!.length = 0;
		await page.goto(server.url + path);
		// Text in the page or in form fields (a textarea's text is its value, not part of the page's text).
		const shown = () =>
			page.evaluate(() => {
				const fields = [...document.querySelectorAll('input, textarea')].map((e) => (e as HTMLInputElement).value);
				return [document.body.innerText, ...fields].join('\n');
			});
		try {
			await eventually(async () => {
				const text = await shown();
				return expected.every((e) => text.includes(e));
			}, 20_000, `${path} to show its texts`);
		} catch {
			// Reported below, text by text.
		}
		const text = await shown();
		const result = await page.evaluate(() => {
			const w = window as unknown as { __xss?: unknown };
			const built = [
				...[...document.querySelectorAll('img[src="x"], img[src="y"], svg[onload], [onerror*="__xss"], [onload*="__xss"], [onerror*="alert"]')].map((e) => e.outerHTML),
				...[...document.querySelectorAll('a[href^="javascript:" i], [src^="javascript:" i], [action^="javascript:" i]')].map((e) => e.outerHTML),
				...[...document.scripts].filter((s) => /^\s*window\.__xss/.test(s.textContent ?? '')).map((s) => s.outerHTML)
			];
			return { xss: w.__xss, built };
		});
		return { ...result, dialogs: [...dialogs.get(page)!], missing: expected.filter((e) => !text.includes(e)) };
	}

	function expectInert(where: string, r: Inspection): void {
		expect({ where, ...r }).toEqual({ where, xss: undefined, dialogs: [], built: [], missing: [] });
	}

	beforeAll(async () => {
		server = await startServer({ demo: true });
		const admin = await signIn(new HttpClient(server.url), 'admin', DEMO_PASSWORD);
		const commander = await signIn(new HttpClient(server.url), 'commander', DEMO_PASSWORD);
		const reviewer = await signIn(new HttpClient(server.url), 'reviewer', DEMO_PASSWORD);
		const act = async (client: HttpClient, path: string, fields: Record<string, string>) => {
			const answer = (await (await client.postForm(path, fields)).json()) as { type: string; data?: string };
			if (answer.type !== 'success' && answer.type !== 'redirect') throw new Error(`${path}: ${JSON.stringify(answer)}`);
		};

		// Through the admin pages: an agency's and a team's name, a person's name, the event's name and venue.
		await act(admin, '/admin/agencies/station', { nameZh: T.agency, nameEn: 'Police station', color: '#1d4ed8' });
		await act(admin, '/admin/teams?/rename', { teamId: 'demo-station-order', name: T.team });
		const member = user('member.station');
		await act(admin, `/admin/users/${member.id}?/save`, { username: member.username, displayName: T.userName, agencyCode: 'station', teamId: member.teamId!, phone: '' });
		await act(admin, `/admin/events/${EVENT}/edit`, { name: T.eventName, venue: T.venue, startsAt: '2026-11-23T16:00', endsAt: '2026-11-27T02:00', timezone: 'Asia/Shanghai', checkinGraceMinutes: '10' });

		// Through stock y-websocket clients, as the commander: a card, a dispute with its parties, a post, a
		// period and a shift happening now.
		const cookie = commander.cookieHeader();
		const docs = [agencyDocName(EVENT, 'station'), restrictedDocName(EVENT), commandDocName(EVENT)].map((name) => connectDoc(server.url, name, { cookie }));
		open.push(...docs);
		await Promise.all(docs.map((d) => whenSynced(d)));
		const [station, restricted, commandDoc] = docs.map((d) => d.doc);
		const now = Date.now();
		const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
		addCard(station, 'xss-card', { title: T.cardTitle, notes: T.cardNotes, location: T.cardLocation, status: 'doing', priority: 'urgent', agency: 'station', assignees: [member.id], createdBy: user('commander').id, createdAt: iso(now) });
		addChecklistItem(station, 'xss-card', { id: 'xss-item', text: T.checklist });
		// The writer's own comment: the hub refuses one "by" anyone else (the member's hostile name shows as an assignee).
		addComment(station, 'xss-card', { id: 'xss-comment', by: user('commander').id, at: iso(now), text: T.comment });
		addDispute(station, 'xss-dispute', {
			summary: T.disputeSummary,
			category: 'neighbor',
			risk: 'high',
			location: T.disputeLocation,
			partiesMasked: T.masked,
			screenedAt: iso(now),
			progress: [{ at: iso(now), by: user('commander').id, text: T.progress }]
		});
		addDispute(station, 'xss-arrival', { summary: T.arrival, category: 'other', risk: 'medium', partiesMasked: T.masked });
		setParties(restricted, 'xss-dispute', [{ name: T.partyName, phone: '13800000999', idNumber: '', address: T.partyAddress, note: T.partyNote }]);
		savePost(commandDoc, 'xss-post', { name: T.postName, kind: 'checkpoint', agency: 'station', location: T.postLocation, minStaff: 2, notes: null, archived: false });
		savePeriod(commandDoc, 'xss-period', { name: T.periodName, startsAt: iso(now - 3_600_000), endsAt: iso(now + 6 * 3_600_000) });
		addShift(station, {
			id: 'xss-shift',
			postId: 'xss-post',
			periodId: 'xss-period',
			startsAt: iso(now - 3_600_000),
			endsAt: iso(now + 3 * 3_600_000),
			notes: T.shiftNotes,
			people: [
				{ id: 'xss-aux', userId: null, name: T.personName, role: T.personRole },
				{ id: 'xss-member', userId: member.id, name: T.userName, role: null }
			]
		});
		// Stored before anyone looks: a second connection sees the last write of each document.
		const check = connectDoc(server.url, agencyDocName(EVENT, 'station'), { cookie });
		open.push(check);
		await whenSynced(check);
		await eventually(() => check.doc.getMap('shifts').has('xss-shift') && cardsOf(check.doc).has('xss-card'), 20_000, 'the seeded texts to be stored');

		// Through the command channel: an instruction to everyone.
		const socket = await connectCommands(server.url, { cookie });
		const sent = await command(socket, 'instruction:send', { eventId: EVENT, scope: 'everyone', targets: [], priority: 'urgent', body: T.instruction, ackBy: null });
		socket.disconnect();
		if (!sent.ok) throw new Error(`instruction: ${JSON.stringify(sent)}`);

		// Through the review page: findings in every free-text field.
		const findings = {
			strengths: [{ id: 's1', text: T.strength }],
			improvements: [{ id: 'i1', area: T.area, observation: T.observation, rootCause: T.rootCause }],
			plan: [{ id: 'p1', improvementId: 'i1', action: T.action, agency: 'station', contact: T.contact, dueDate: '2027-01-31' }]
		};
		await act(reviewer, `/events/${EVENT}/review?/saveFindings`, { findings: JSON.stringify(findings) });
		wallToken = await createDisplayToken(commander, `大屏${P.img}`, EVENT);

		browser = await launchBrowser();
		await Promise.all(['commander', 'admin', 'lead.patrol', 'anonymous'].map(seat));
	}, 240_000);

	afterAll(async () => {
		for (const d of open) d.destroy();
		await browser?.close();
		await server?.dispose();
	});

	it('keeps the board and the card editor inert, showing card title, notes, checklist, comment, location and names literally', async () => {
		const page = pages.get('commander')!;
		expectInert('board', await inspect(page, `/events/${EVENT}/board`, [T.cardTitle, T.eventName]));
		expectInert('card editor', await inspect(page, `/events/${EVENT}/board?card=station:xss-card`, [T.cardTitle, T.cardNotes, T.cardLocation, T.checklist, T.comment, T.userName]));
	});

	it('keeps the dispute register and a dispute with its parties inert for a cleared reader', async () => {
		const page = pages.get('commander')!;
		expectInert('disputes', await inspect(page, `/events/${EVENT}/disputes`, [T.disputeSummary, T.masked]));
		expectInert('dispute', await inspect(page, `/events/${EVENT}/disputes/xss-dispute`, [T.disputeSummary, T.disputeLocation, T.progress, T.partyName, T.partyAddress, T.partyNote]));
	});

	it('keeps the roster views inert, showing post, period, shift and people literally', async () => {
		const page = pages.get('commander')!;
		expectInert('roster', await inspect(page, `/events/${EVENT}/roster`, [T.postName, T.personName]));
		expectInert('roster setup', await inspect(page, `/events/${EVENT}/roster/setup`, [T.postName, T.periodName]));
		expectInert('shifts', await inspect(page, `/events/${EVENT}/roster/shifts`, [T.postName, T.personName]));
		expectInert('timeline', await inspect(page, `/events/${EVENT}/roster/timeline`, [T.postName]));
		expectInert('shift editor', await inspect(page, `/events/${EVENT}/roster/shifts?shift=station:xss-shift`, [T.shiftNotes, T.personName, T.personRole]));
	});

	it('keeps the instructions page inert, showing the instruction literally', async () => {
		expectInert('instructions', await inspect(pages.get('commander')!, `/events/${EVENT}/instructions`, [T.instruction]));
	});

	it('keeps the wall inert, showing event, card and instruction literally', async () => {
		expectInert('wall', await inspect(pages.get('anonymous')!, `/wall/${wallToken}`, [T.eventName, T.cardTitle, T.instruction]));
	});

	it('keeps the review page and its print view inert, showing findings and the timeline literally', async () => {
		const page = pages.get('commander')!;
		const findings = [T.strength, T.area, T.observation, T.rootCause, T.action, T.contact];
		expectInert('review', await inspect(page, `/events/${EVENT}/review`, [T.eventName, ...findings]));
		expectInert('print', await inspect(page, `/events/${EVENT}/review/print`, [T.eventName, T.venue, ...findings]));
	});

	it('keeps the admin pages inert, showing names of people, agencies, teams and events literally', async () => {
		const page = pages.get('admin')!;
		expectInert('admin users', await inspect(page, '/admin/users', [T.userName]));
		expectInert('admin user', await inspect(page, `/admin/users/${user('member.station').id}`, [T.userName, T.eventName]));
		expectInert('admin agencies', await inspect(page, '/admin/agencies', [T.agency]));
		expectInert('admin teams', await inspect(page, '/admin/teams', [T.team, T.agency]));
		expectInert('admin events', await inspect(page, '/admin/events', [T.eventName]));
		expectInert('admin event', await inspect(page, `/admin/events/${EVENT}`, [T.eventName, T.userName]));
		expectInert('admin home', await inspect(page, '/admin', []));
	});

	it('keeps a dispute handed over live inert in the receiving lead’s notice', async () => {
		const page = pages.get('lead.patrol')!;
		await page.goto(`${server.url}/events/${EVENT}/board`);
		// Connected and joined: the board says everything is saved once its documents and socket are up.
		await page.getByTestId('save-state').filter({ hasText: '所有修改已保存' }).waitFor({ timeout: 20_000 });
		const commander = await signIn(new HttpClient(server.url), 'commander', DEMO_PASSWORD);
		const socket = await connectCommands(server.url, { cookie: commander.cookieHeader() });
		const moved = await command(socket, 'dispute:escalate', { eventId: EVENT, disputeId: 'xss-arrival', fromAgency: 'station', toAgency: 'patrol', reason: T.progress });
		socket.disconnect();
		expect(moved.ok).toBe(true);
		const notice = page.getByTestId('dispute-arrival');
		await notice.waitFor({ timeout: 20_000 });
		const text = await notice.innerText();
		expect(text).toContain(T.arrival);
		expect(text).toContain(T.masked);
		expect(text).toContain(T.progress);
		const r = await page.evaluate(() => ({ xss: (window as unknown as { __xss?: unknown }).__xss, built: document.querySelectorAll('img[src="x"], img[src="y"], svg[onload]').length }));
		expect({ ...r, dialogs: dialogs.get(page) }).toEqual({ xss: undefined, built: 0, dialogs: [] });
	});

	it('keeps the sign-in page inert when it shows back a username made of markup', async () => {
		const page = pages.get('anonymous')!;
		await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
		const typed = `${P.svg}${P.img}`;
		await page.fill('input[name=username]', typed);
		await page.fill('input[name=password]', 'wrong-password');
		await page.click('form:has(input[name=password]) button[type=submit]');
		await page.getByText('用户名或密码不正确').waitFor();
		expect(await page.inputValue('input[name=username]')).toBe(typed);
		const r = await page.evaluate(() => ({ xss: (window as unknown as { __xss?: unknown }).__xss, built: document.querySelectorAll('img[src="x"], svg[onload]').length }));
		expect({ ...r, dialogs: dialogs.get(page) }).toEqual({ xss: undefined, built: 0, dialogs: [] });
	});
});
