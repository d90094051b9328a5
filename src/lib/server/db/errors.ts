/** A start-up failure with one line that says what is wrong and how to fix it. */
export class StartupError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'StartupError';
	}
}
