/** The exercise ratings in words, in the reader's language. */
import { m } from '$lib/paraglide/messages';
import type { Rating } from '$lib/domain/exercise';

const LABELS: Record<Rating, () => string> = {
	P: m.exercise_rating_P,
	S: m.exercise_rating_S,
	M: m.exercise_rating_M,
	U: m.exercise_rating_U
};

export function ratingLabel(r: Rating | null): string {
	return r ? LABELS[r]() : m.exercise_rating_none();
}
