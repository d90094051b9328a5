import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type http from 'node:http';
import { answerMetrics, createMetrics, refusalReason } from './metrics.ts';
import { CLOSE_CODES } from '../src/lib/domain/wire.ts';
import { createLogger } from '../src/lib/server/log.ts';

/** A response that records what was written to it. */
function fakeResponse() {
	const answer = { status: 0, headers: {} as Record<string, string>, body: '' };
	const res = {
		headersSent: false,
		writeHead(status: number, headers: Record<string, string> = {}) {
			answer.status = status;
			answer.headers = headers;
			return res;
		},
		end(body?: string) {
			answer.body = body ?? '';
		}
	};
	return { res: res as unknown as http.ServerResponse, answer };
}

function request(authorization?: string, method = 'GET'): http.IncomingMessage {
	return { method, headers: authorization ? { authorization } : {} } as unknown as http.IncomingMessage;
}

describe('GET /metrics', () => {
	const metrics = createMetrics();
	const token = 'a-token-long-enough-1234';

	it('does not exist when no token is configured', async () => {
		const { res, answer } = fakeResponse();
		await answerMetrics(request(`Bearer ${token}`), res, metrics, undefined);
		expect(answer.status).toBe(404);
	});

	it('refuses a missing, malformed or wrong token with 401 and no figures', async () => {
		for (const auth of [undefined, token, `Basic ${token}`, `Bearer ${token}x`, 'Bearer ']) {
			const { res, answer } = fakeResponse();
			await answerMetrics(request(auth), res, metrics, token);
			expect(answer.status, String(auth)).toBe(401);
			expect(answer.body).not.toContain('liandong_');
		}
	});

	it('answers the token with the figures of its own registry', async () => {
		metrics.hub.accepted('client');
		metrics.hub.refused(CLOSE_CODES.refused, 'schema: cards.x.title must be text');
		const { res, answer } = fakeResponse();
		await answerMetrics(request(`Bearer ${token}`), res, metrics, token);
		expect(answer.status).toBe(200);
		expect(answer.body).toContain('liandong_updates_accepted_total{source="client"} 1');
		expect(answer.body).toContain('liandong_updates_refused_total{reason="schema"} 1');
		// A second app in the same process keeps figures of its own.
		const other = await createMetrics().registry.metrics();
		expect(other).toContain('# TYPE liandong_updates_accepted_total counter');
		expect(other).not.toContain('liandong_updates_accepted_total{source="client"} 1');
	});
});

describe('the event loop delay', () => {
	it('is sampled into a histogram of its own, and prom-client statistics that count their sampling period are left out', async () => {
		const metrics = createMetrics();
		// `_count`, or `_bucket{le="…"}`: one line of the histogram's text.
		const sample = async (series: string) => {
			const text = await metrics.registry.getSingleMetricAsString('liandong_event_loop_delay_seconds');
			const line = text.split('\n').find((l) => l.startsWith(`liandong_event_loop_delay_seconds${series} `));
			return Number(line?.split(' ')[1]);
		};
		try {
			const text = await metrics.registry.metrics();
			expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
			expect(text).not.toContain('nodejs_eventloop_lag_p99_seconds');
			// The loop held for 400 ms: the sample due in that time is taken at least 150 ms late.
			const until = performance.now() + 400;
			while (performance.now() < until);
			await new Promise((r) => setTimeout(r, 50));
			expect(await sample('_count')).toBeGreaterThanOrEqual(1);
			expect((await sample('_count')) - (await sample('_bucket{le="0.1"}'))).toBeGreaterThanOrEqual(1);
		} finally {
			metrics.stop();
		}
		const stopped = await sample('_count');
		await new Promise((r) => setTimeout(r, 600));
		expect(await sample('_count')).toBe(stopped);
	});
});

describe('refusal reasons as labels', () => {
	it('names the close code, or a finer kind from a fixed set, never the message itself', () => {
		expect(refusalReason(CLOSE_CODES.readOnly, 'this connection may only read this document')).toBe('readOnly');
		expect(refusalReason(CLOSE_CODES.refused, 'workflow: only the server escalates')).toBe('workflow');
		expect(refusalReason(CLOSE_CODES.refused, 'client id 12345 belongs to another user')).toBe('clientId');
		expect(refusalReason(CLOSE_CODES.overQuota, 'quota:userRate')).toBe('quota_userRate');
		expect(refusalReason(CLOSE_CODES.overQuota, 'quota:anything-else')).toBe('overQuota');
		expect(refusalReason(CLOSE_CODES.refused, 'unknown message type 9')).toBe('refused');
		expect(refusalReason(4999, 'made up')).toBe('other');
	});
});

describe('the log', () => {
	it('writes JSON lines with level, time and message, and redacts party fields wherever they are nested', () => {
		const out = new PassThrough();
		const lines: string[] = [];
		out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
		const log = createLogger({ level: 'info', destination: out });
		log.info({ parties: [{ name: '韩立新' }], entry: { phone: '13800000101' }, a: { b: { idNumber: '610102198003150011' } } }, 'saved');
		log.debug('not at info');
		expect(lines).toHaveLength(1);
		const entry = JSON.parse(lines[0]);
		expect(entry).toMatchObject({ level: 'info', msg: 'saved', parties: '[redacted]', entry: { phone: '[redacted]' }, a: { b: { idNumber: '[redacted]' } } });
		expect(typeof entry.time).toBe('string');
		expect(lines[0]).not.toMatch(/韩立新|13800000101|610102198003150011/);
	});
});
