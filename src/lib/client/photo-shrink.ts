/**
 * A photo made small on the phone before it waits or travels: longest side at most PHOTO_SIDE, as JPEG. Drawing it
 * on a canvas also leaves the camera's metadata (GPS position included) behind; the server re-encodes again, so
 * nothing depends on this step but the bytes sent over a venue's thin network. A file the browser cannot draw is
 * sent as it is, and the server says what is wrong with it.
 */
import { PHOTO_SIDE } from '$lib/domain/field-reports';

export async function shrinkPhoto(file: Blob): Promise<Blob> {
	if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return file;
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
	} catch {
		return file;
	}
	try {
		const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
		const width = Math.max(1, Math.round(bitmap.width * scale));
		const height = Math.max(1, Math.round(bitmap.height * scale));
		const canvas = document.createElement('canvas');
		canvas.width = width;
		canvas.height = height;
		const g = canvas.getContext('2d');
		if (!g) return file;
		g.fillStyle = '#ffffff';
		g.fillRect(0, 0, width, height);
		g.drawImage(bitmap, 0, 0, width, height);
		const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
		return blob ?? file;
	} finally {
		bitmap.close();
	}
}
