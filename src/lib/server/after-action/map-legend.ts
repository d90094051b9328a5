/**
 * How the record's map figure numbers what it shows (posts first, then zones), shared by the figure and the legend
 * beside it in the PDF and DOCX. Pure: the export worker imports it without sharp.
 */
import type { RecordMap } from '../../domain/after-action.ts';

/** The numbers on the figure: posts first (1…), then zones, in the record's order. */
export function figureLegend(map: RecordMap): { posts: Array<{ n: number; name: string }>; zones: Array<{ n: number; name: string; kind: string }> } {
	return {
		posts: map.posts.map((p, i) => ({ n: i + 1, name: p.name })),
		zones: map.zones.map((z, i) => ({ n: map.posts.length + i + 1, name: z.name, kind: z.kind }))
	};
}

