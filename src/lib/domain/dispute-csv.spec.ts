import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv-format.ts';
import { CSV_COLUMNS, exportRows, planImport, type CsvVocabulary, type ImportContext } from './dispute-csv.ts';
import type { RegisterEntry } from './disputes.ts';

const HEADERS: Record<string, string> = {
	id: '编号',
	agency: '单位',
	summary: '纠纷概要',
	category: '类别',
	risk: '风险等级',
	status: '状态',
	level: '层级',
	mediation: '调解方式',
	location: '地点',
	screenedAt: '排查时间',
	dueAt: '办结期限',
	ownerTeam: '责任队伍',
	partiesMasked: '当事人（脱敏）',
	partyNames: '当事人姓名',
	partyPhones: '联系电话',
	partyIdNumbers: '身份证号',
	partyAddresses: '住址',
	progress: '进展'
};

const VOCAB: CsvVocabulary = {
	headers: Object.fromEntries(CSV_COLUMNS.map((c) => [c, [HEADERS[c], c]])) as CsvVocabulary['headers'],
	values: {
		category: { neighbor: ['邻里纠纷', 'Neighbors'], labor: ['劳资纠纷'], family: ['家庭纠纷'], property: ['物业纠纷'], consumer: ['消费纠纷'], land: ['土地纠纷'], other: ['其他'] },
		risk: { low: ['低'], medium: ['中'], high: ['高', 'High'], critical: ['重大'] },
		status: { open: ['待调处'], mediating: ['调处中'], resolved: ['已化解'], reported: ['已上报'], transferred: ['已移交'] },
		level: { community: ['社区'], street: ['街道'], district: ['区'] },
		mediation: { people: ['人民调解'], administrative: ['行政调解'], judicial: ['司法调解'] }
	}
};

function context(over: Partial<ImportContext> = {}): ImportContext {
	return {
		vocabulary: VOCAB,
		timezone: 'Asia/Shanghai',
		now: new Date('2026-11-24T10:00:00+08:00'),
		importerId: 'u1',
		writableAgencies: ['patrol'],
		agencies: [
			{ code: 'patrol', names: ['社区巡防'] },
			{ code: 'station', names: ['派出所'] }
		],
		teams: [{ id: 'team-east', name: '东片巡防中队', agencyCode: 'patrol' }],
		existingIds: new Set(['already-there']),
		cleared: true,
		...over
	};
}

describe('the CSV format', () => {
	it('reads quoted cells with commas, quotes and line breaks, a BOM and CRLF', () => {
		const text = '\ufeffa,b,c\r\n"1,5","say ""hi""","two\nlines"\r\n\r\n';
		expect(parseCsv(text)).toEqual([
			['a', 'b', 'c'],
			['1,5', 'say "hi"', 'two\nlines']
		]);
	});

	it('reads tab-separated text pasted from a spreadsheet', () => {
		expect(parseCsv('a\tb\n1\t2')).toEqual([
			['a', 'b'],
			['1', '2']
		]);
	});

	it('writes what it reads back, and keeps formulas as text', () => {
		const rows = [
			['概要', '备注'],
			['东街, 38号', '=HYPERLINK("x")'],
			['多行\n文本', '+86 138']
		];
		const csv = toCsv(rows);
		expect(csv.startsWith('\ufeff')).toBe(true);
		expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
		const back = parseCsv(csv);
		expect(back[1][0]).toBe('东街, 38号');
		expect(back[1][1]).toBe(`'=HYPERLINK("x")`);
		expect(back[2]).toEqual(['多行\n文本', "'+86 138"]);
	});
});

describe('importing the register', () => {
	const header = ['纠纷概要', '类别', '风险等级', '状态', '层级', '责任队伍', '办结期限', '当事人姓名', '联系电话', '身份证号'];

	it('turns valid rows into entries with masked parties, accepting labels, codes and spreadsheet dates', () => {
		const result = planImport(
			[
				header,
				['楼道堆物引发争吵', '邻里纠纷', '高', '', '', '东片巡防中队', '2026/11/25 18:00', '张三明；李四', '13812345678；13900001111', '110101199001011234'],
				['拖欠工资', 'labor', 'critical', '调处中', '街道', '', '2026-11-26', '', '', '']
			],
			context()
		);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const [a, b] = result.entries;
		expect(a.agency).toBe('patrol');
		expect(a.dispute).toMatchObject({ category: 'neighbor', risk: 'high', status: 'open', level: 'community', ownerTeamId: 'team-east', dueAt: '2026-11-25T18:00:00+08:00' });
		expect(a.dispute.partiesMasked).toBe('张*明 138****5678、李* 139****1111');
		expect(a.parties).toEqual([
			{ name: '张三明', phone: '13812345678', idNumber: '110101199001011234', address: '', note: '' },
			{ name: '李四', phone: '13900001111', idNumber: '', address: '', note: '' }
		]);
		expect(b.dispute).toMatchObject({ category: 'labor', risk: 'critical', status: 'mediating', level: 'street', dueAt: '2026-11-26T23:59:00+08:00' });
		expect(b.parties).toEqual([]);
	});

	it('fails the whole file and names every bad row and column', () => {
		const result = planImport(
			[
				header,
				['好的一行', '邻里纠纷', '低', '', '', '', '', '', '', ''],
				['', '邻里纠纷', '极高', '', '', '', '', '', '', ''],
				['第三行', '吵架', '低', '', '乡镇', '西片', '明天', '', '', ''],
				['第四行', '邻里纠纷', '低', '', '', '', '', '王五', '1380000111122223333444455556666', 'ID-123']
			],
			context()
		);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		const found = result.errors.map((e) => `${e.row}:${e.column}:${e.code}`);
		expect(found).toEqual(
			expect.arrayContaining([
				'3:summary:required',
				'3:risk:invalidChoice',
				'4:category:invalidChoice',
				'4:level:invalidChoice',
				'4:ownerTeam:notFound',
				'4:dueAt:invalidTime',
				'5:partyPhones:tooLong',
				'5:partyIdNumbers:invalidFormat'
			])
		);
		expect(found.some((f) => f.startsWith('2:'))).toBe(false);
	});

	it('refuses personal data from an importer who is not cleared for it', () => {
		const result = planImport([header, ['x', '其他', '低', '', '', '', '', '张三', '', '']], context({ cleared: false }));
		expect(result).toEqual({ ok: false, errors: [{ row: 2, column: 'partyNames', code: 'notCleared', value: '' }] });
	});

	it('refuses more phones than names, unknown and missing columns, and an id already in the event', () => {
		const mismatch = planImport([header, ['x', '其他', '低', '', '', '', '', '张三', '1380000;1390000', '']], context());
		expect(!mismatch.ok && mismatch.errors[0].code).toBe('partiesMismatch');
		const columns = planImport([['纠纷概要', '风险等级', '备注栏'], ['x', '低', '']], context());
		expect(!columns.ok && columns.errors.map((e) => e.code).sort()).toEqual(['missingColumn', 'unknownColumn']);
		const again = planImport([['编号', '纠纷概要', '类别', '风险等级'], ['already-there', 'x', '其他', '低']], context());
		expect(!again.ok && again.errors[0]).toMatchObject({ row: 2, column: 'id', code: 'taken' });
	});

	it('refuses an agency the importer may not write, and a file without rows', () => {
		const other = planImport([['单位', '纠纷概要', '类别', '风险等级'], ['派出所', 'x', '其他', '低']], context());
		expect(!other.ok && other.errors[0]).toMatchObject({ row: 2, column: 'agency', code: 'forbidden' });
		expect(planImport([['纠纷概要', '类别', '风险等级']], context())).toMatchObject({ ok: false, errors: [{ code: 'noRows' }] });
	});
});

describe('exporting the register', () => {
	const entry: RegisterEntry = {
		id: 'd1',
		agency: 'patrol',
		summary: '楼道堆物',
		category: 'neighbor',
		risk: 'high',
		status: 'open',
		level: 'community',
		mediation: 'people',
		location: '东街',
		screenedAt: '2026-11-24T09:00:00+08:00',
		dueAt: null,
		ownerTeamId: null,
		partiesMasked: '张*明 138****5678',
		progress: [{ at: '2026-11-24T09:30:00+08:00', by: 'u1', text: '已谈话', kind: 'note', status: null, fromLevel: null, toLevel: null, fromAgency: null, toAgency: null }],
		cardId: null
	};
	const parties = [{ name: '张三明', phone: '13812345678', idNumber: '110101199001011234', address: '东街1号', note: '' }];
	const base = { vocabulary: VOCAB, timezone: 'Asia/Shanghai', parties: () => parties, agencyName: () => '社区巡防', teamName: () => '' };

	it('writes the parties themselves for a cleared exporter', () => {
		const rows = exportRows([entry], { ...base, cleared: true });
		const text = JSON.stringify(rows);
		expect(rows[0]).toContain('身份证号');
		expect(text).toContain('张三明');
		expect(text).toContain('110101199001011234');
		expect(rows[1]).toContain('高');
		expect(rows[1]).toContain('2026-11-24 09:00');
	});

	it('leaves every personal column out for an uncleared exporter, keeping the masked form', () => {
		const rows = exportRows([entry], { ...base, cleared: false });
		const text = JSON.stringify(rows);
		expect(rows[0]).not.toContain('身份证号');
		expect(rows[0]).not.toContain('当事人姓名');
		expect(text).not.toContain('张三明');
		expect(text).not.toContain('13812345678');
		expect(text).not.toContain('110101199001011234');
		expect(text).not.toContain('东街1号');
		expect(text).toContain('张*明 138****5678');
	});

	it('imports its own export back', () => {
		const csv = toCsv(exportRows([entry], { ...base, cleared: true }));
		const result = planImport(parseCsv(csv), context({ existingIds: new Set() }));
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.entries[0].id).toBe('d1');
		expect(result.entries[0].parties[0]).toMatchObject({ name: '张三明', idNumber: '110101199001011234', address: '东街1号' });
		expect(result.entries[0].dispute).toMatchObject({ summary: '楼道堆物', risk: 'high', mediation: 'people', screenedAt: '2026-11-24T09:00:00+08:00' });
	});
});
