/**
 * Getting an alarm noticed on a phone in a crowd: a tone (made with Web Audio, so no sound file is fetched), a
 * vibration where the device allows, and a system notification when the app is in the background and the user
 * has allowed them. Each part fails quietly where the browser does not offer it.
 */

let audio: AudioContext | null = null;

/** One tone: `kind` at `frequency` Hz from `start` for `length` seconds, rising fast to `peak` and fading. */
interface Tone {
	kind: OscillatorType;
	frequency: number;
	start: number;
	length: number;
	peak: number;
}

/**
 * Plays tones through the page's one audio context (made on first use). Fails quietly: no audio here, or autoplay
 * refused before any tap — the screen, the vibration and the lists still tell.
 */
function playTones(tones: (now: number) => Tone[]): void {
	try {
		const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
		if (!Ctx) return;
		audio ??= new Ctx();
		const ctx = audio;
		void ctx.resume?.();
		for (const t of tones(ctx.currentTime)) {
			const osc = ctx.createOscillator();
			const gain = ctx.createGain();
			osc.type = t.kind;
			osc.frequency.value = t.frequency;
			gain.gain.setValueAtTime(0.0001, t.start);
			gain.gain.exponentialRampToValueAtTime(t.peak, t.start + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, t.start + t.length - 0.05);
			osc.connect(gain).connect(ctx.destination);
			osc.start(t.start);
			osc.stop(t.start + t.length);
		}
	} catch {
		// Other signals carry the news (the doc comment says which).
	}
}

/** Three short high tones, loud enough to cut through a crowd's noise. */
export function playAlarmTone(): void {
	playTones((now) => [0, 1, 2].map((i) => ({ kind: 'square', frequency: 1046, start: now + i * 0.35, length: 0.3, peak: 0.4 })));
}

export function vibrateAlarm(): void {
	try {
		navigator.vibrate?.([400, 150, 400, 150, 400]);
	} catch {
		// Not offered on this device.
	}
}

/** A system notification while the page is hidden, when the user allowed them. */
export async function notifyInBackground(title: string, body: string, tag: string): Promise<void> {
	if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
	try {
		const reg = await navigator.serviceWorker?.getRegistration();
		if (reg) await reg.showNotification(title, { body, tag, requireInteraction: true });
		else new Notification(title, { body, tag, requireInteraction: true });
	} catch {
		// Notifications refused by the browser: the overlay waits for the user's return.
	}
}

/** Keeps a wall's screen on while its page is shown; asks again each time the page becomes visible. */
export function keepScreenAwake(): () => void {
	const nav = navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } };
	if (!nav.wakeLock) return () => {};
	let lock: { release(): Promise<void> } | null = null;
	const ask = () => {
		if (document.visibilityState !== 'visible') return;
		nav.wakeLock!.request('screen').then(
			(l) => (lock = l),
			() => {}
		);
	};
	ask();
	document.addEventListener('visibilitychange', ask);
	return () => {
		document.removeEventListener('visibilitychange', ask);
		void lock?.release().catch(() => {});
	};
}

/** Two soft rising tones: a new field report at the desk (less urgent than an alarm, but heard across a room). */
export function playArrivalTone(): void {
	playTones((now) => [660, 880].map((frequency, i) => ({ kind: 'sine', frequency, start: now + i * 0.22, length: 0.22, peak: 0.3 })));
}
