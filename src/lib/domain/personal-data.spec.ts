import { describe, it, expect } from 'vitest';
import { findPersonalData, hasPersonalData, validResidentId } from './personal-data.ts';

describe('finding personal data in free text', () => {
	it('finds mobile numbers, with or without the country code and separators', () => {
		expect(findPersonalData('当事人电话13812345678，家属 +86 139-1234-5678').phones).toEqual(['13812345678', '+86 139-1234-5678']);
	});

	it('finds landline numbers with their area code', () => {
		expect(findPersonalData('物业 029-87654321 值班').phones).toEqual(['029-87654321']);
	});

	it('finds resident ID numbers whose check character is right, and the old 15-digit ones', () => {
		expect(validResidentId('11010519491231002X')).toBe(true);
		expect(validResidentId('110105194912310021')).toBe(false);
		expect(findPersonalData('身份证11010519491231002X，旧证110105491231002').idNumbers).toEqual(['11010519491231002X', '110105491231002']);
	});

	it('does not take an ID number for a phone, nor ordinary figures for either', () => {
		const found = findPersonalData('11010519491231002X');
		expect(found.phones).toEqual([]);
		for (const text of ['约600人聚集', '南门2号岗 18:30 到位', '编号 2026112400001', '订单 12345678901234567890']) {
			expect(hasPersonalData(text), text).toBe(false);
		}
	});
});
