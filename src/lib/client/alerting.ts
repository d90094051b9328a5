/**
 * Getting an alarm noticed on a phone in a crowd: a tone (made with Web Audio, so no sound file is fetched), a
 * vibration where the device allows, and a system notification when the app is in the background and the user
 * has allowed them. Each part fails quietly where the browser does not offer it.
 */

let audio: AudioContext | null = null;

/** Three short high tones, loud enough to cut through a crowd's noise. */
export function playAlarmTone(): void {
	try {
		const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
		if (!Ctx) return;
		audio ??= new Ctx();
		const ctx = audio;
		void ctx.resume?.();
		for (let i = 0; i < 3; i++) {
			const start = ctx.currentTime + i * 0.35;
			const osc = ctx.createOscillator();
			const gain = ctx.createGain();
			osc.type = 'square';
			osc.frequency.value = 1046;
			gain.gain.setValueAtTime(0.0001, start);
			gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
			osc.connect(gain).connect(ctx.destination);
			osc.start(start);
			osc.stop(start + 0.3);
		}
	} catch {
		// No audio here (or autoplay refused before any tap): the screen and the vibration still tell.
	}
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
	try {
		const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
		if (!Ctx) return;
		audio ??= new Ctx();
		const ctx = audio;
		void ctx.resume?.();
		[660, 880].forEach((frequency, i) => {
			const start = ctx.currentTime + i * 0.22;
			const osc = ctx.createOscillator();
			const gain = ctx.createGain();
			osc.type = 'sine';
			osc.frequency.value = frequency;
			gain.gain.setValueAtTime(0.0001, start);
			gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
			osc.connect(gain).connect(ctx.destination);
			osc.start(start);
			osc.stop(start + 0.22);
		});
	} catch {
		// No audio: the list and its count still show the arrival.
	}
}
