import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';

describe('observability settings', () => {
	it('leaves /metrics off without a token and takes a long enough one', () => {
		expect(readConfig({}).metricsToken).toBeUndefined();
		expect(readConfig({ METRICS_TOKEN: '  ' }).metricsToken).toBeUndefined();
		expect(readConfig({ METRICS_TOKEN: 'f3a9c0d1e2b4a5968778' }).metricsToken).toBe('f3a9c0d1e2b4a5968778');
	});

	it('refuses a token too short to keep anyone out, or one a header cannot carry', () => {
		expect(() => readConfig({ METRICS_TOKEN: 'secret' })).toThrow(/METRICS_TOKEN must be 16 to 256/);
		expect(() => readConfig({ METRICS_TOKEN: 'a token with spaces in it' })).toThrow(/METRICS_TOKEN/);
	});

	it('reads LOG_LEVEL in any case and names the levels when it is none of them', () => {
		expect(readConfig({}).logLevel).toBe('info');
		expect(readConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
		expect(() => readConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
	});
});
