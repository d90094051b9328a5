import { describe, it, expect } from 'vitest';
import { checkInstruction, type InstructionInput } from './instructions.ts';

const valid: InstructionInput = {
	eventId: 'demo-lantern-2026',
	scope: 'everyone',
	targets: [],
	priority: 'routine',
	body: '南门加强疏导',
	ackBy: '2026-02-12T21:00:00+08:00'
};

describe('checkInstruction', () => {
	it('accepts a plain instruction', () => {
		expect(checkInstruction(valid)).toBeNull();
	});

	it('refuses an event id that is not an id', () => {
		expect(checkInstruction({ ...valid, eventId: 'demo\u0000lantern' })).toMatch(/eventId/);
		expect(checkInstruction({ ...valid, eventId: 'x'.repeat(65) })).toMatch(/eventId/);
	});

	it('refuses text with a NUL character, which the database cannot store', () => {
		expect(checkInstruction({ ...valid, body: '南门\u0000加强' })).toMatch(/NUL/);
	});

	it('refuses an acknowledge-by time the database cannot store', () => {
		expect(checkInstruction({ ...valid, ackBy: '-271821-04-20T00:00:00Z' })).toMatch(/ackBy/);
		expect(checkInstruction({ ...valid, ackBy: '+275760-09-13T00:00:00Z' })).toMatch(/ackBy/);
	});
});
