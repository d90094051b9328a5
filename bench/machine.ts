/** What the figures were measured on, so the README can say it next to them. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
	cpu: string;
	cores: number;
	memoryGiB: number;
	os: string;
	node: string;
	/** The 1-minute load average when the run started: other work on the machine skews every figure. */
	loadAverageAtStart: number;
	/** Filled in once the database has been opened (see database.ts). */
	database: string;
}

function cpuModel(): string {
	try {
		const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
		if (m) return m[1].trim();
	} catch {
		// Not Linux: fall back to what Node knows.
	}
	return os.cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(): MachineInfo {
	return {
		cpu: cpuModel(),
		cores: os.availableParallelism(),
		memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		node: process.version,
		loadAverageAtStart: Math.round(os.loadavg()[0] * 100) / 100,
		database: 'unknown'
	};
}
