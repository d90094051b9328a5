import { describe, expect, it } from 'vitest';
import { MASKED_MAX, maskIdNumber, maskName, maskParties, maskParty, maskPhone } from './masking.ts';

describe('maskName', () => {
	it('keeps the surname and the last character of a three-character Chinese name', () => {
		expect(maskName('张三明')).toBe('张*明');
		expect(maskName('李建国')).toBe('李*国');
	});

	it('keeps only the surname of a two-character Chinese name', () => {
		expect(maskName('王五')).toBe('王*');
		expect(maskName('李娜')).toBe('李*');
	});

	it('hides a one-character name entirely, a Chinese one as 某 (some person)', () => {
		expect(maskName('张')).toBe('某');
		expect(maskName('J')).toBe('*');
	});

	it('uses one star however long the hidden part is', () => {
		expect(maskName('张三丰明')).toBe('张*明');
	});

	it('keeps a compound surname whole', () => {
		expect(maskName('欧阳娜娜')).toBe('欧阳*娜');
		expect(maskName('司马相如')).toBe('司马*如');
		expect(maskName('诸葛亮')).toBe('诸葛*');
		expect(maskName('上官婉儿')).toBe('上官*儿');
	});

	it('treats a two-character name that starts like a compound surname as surname and given name', () => {
		expect(maskName('欧阳')).toBe('欧*');
	});

	it('does not take a common surname followed by another character for a compound one', () => {
		expect(maskName('张欧阳')).toBe('张*阳');
	});

	it('keeps the initial of each word of a Latin name, written as initials are', () => {
		expect(maskName('John Smith')).toBe('J. S.');
		expect(maskName('Li')).toBe('L.');
		expect(maskName('  Maria   de la Cruz ')).toBe('M. d. l. C.');
	});

	it('masks each part of a transliterated name around its middle dot', () => {
		expect(maskName('阿依古丽·买买提')).toBe('阿*丽·买*提');
	});

	it('gives nothing for an empty name', () => {
		expect(maskName('')).toBe('');
		expect(maskName('   ')).toBe('');
	});

	it('never returns the name itself for any name longer than one character', () => {
		for (const name of ['张三', '张三明', '欧阳娜娜', 'John Smith', 'Li', '阿依古丽·买买提']) {
			expect(maskName(name)).not.toBe(name);
			expect(maskName(name)).toMatch(/[*.]/);
		}
	});
});

describe('maskPhone', () => {
	it('keeps the first three and last four digits of a mobile number', () => {
		expect(maskPhone('13812345678')).toBe('138****5678');
		expect(maskPhone('138-1234-5678')).toBe('138****5678');
	});

	it('drops the country code before a mobile number', () => {
		expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
		expect(maskPhone('008613812345678')).toBe('138****5678');
	});

	it('keeps the area code and last four digits of a landline with its area code', () => {
		expect(maskPhone('029-88881234')).toBe('029****1234');
	});

	it('keeps only the last four digits of a short number', () => {
		expect(maskPhone('88881234')).toBe('****1234');
	});

	it('hides a number too short to keep anything of', () => {
		expect(maskPhone('110')).toBe('****');
	});

	it('gives nothing when there are no digits', () => {
		expect(maskPhone('')).toBe('');
		expect(maskPhone('无')).toBe('');
	});
});

describe('maskParties', () => {
	it('joins masked parties with the enumeration comma, phones after names', () => {
		expect(
			maskParties([
				{ name: '张三明', phone: '13812345678' },
				{ name: '李四', phone: '' },
				{ name: 'John Smith', phone: null }
			])
		).toBe('张*明 138****5678、李*、J. S.');
	});

	it('skips parties without a name or phone', () => {
		expect(maskParties([{ name: '' }, { name: '王五' }])).toBe('王*');
		expect(maskParty({ name: ' ', phone: '' })).toBe('');
	});

	it('is empty when there are no parties', () => {
		expect(maskParties([])).toBe('');
	});

	it('stays within the schema length and says how many parties did not fit', () => {
		const many = Array.from({ length: 50 }, (_, i) => ({ name: `张三${String.fromCharCode(0x4e00 + i)}`, phone: `1380000${String(i).padStart(4, '0')}` }));
		const masked = maskParties(many);
		expect([...masked].length).toBeLessThanOrEqual(MASKED_MAX);
		const shown = masked.split('…+')[0].split('、').length;
		expect(masked).toMatch(new RegExp(`…\\+${50 - shown}$`));
	});

	it('contains no digit run of a phone longer than four digits', () => {
		const masked = maskParties([{ name: '赵六', phone: '13912349876' }]);
		expect(masked).not.toMatch(/\d{5,}/);
		expect(masked).not.toContain('1234');
	});
});

describe('maskIdNumber', () => {
	it('keeps the first three characters and the last of an ID number, and nothing of a short one', () => {
		expect(maskIdNumber('110101199001011234')).toBe('110****4');
		expect(maskIdNumber('11010119900101123X')).toBe('110****X');
		expect(maskIdNumber('1234567')).toBe('****');
	});
});
