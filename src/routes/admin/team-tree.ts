/** Pure helpers over the flat team list the repositories return: the tree, and a team's path from its brigade. */
import type { TeamLevel } from '$lib/domain/roles';

export interface TeamLike {
	id: string;
	agencyCode: string;
	parentId: string | null;
	level: TeamLevel;
	name: string;
}

export interface TeamNode<T extends TeamLike = TeamLike> {
	team: T;
	children: TeamNode<T>[];
}

/** The teams of one agency as a forest of brigades; a team whose parent is missing is shown at the top. */
export function teamTree<T extends TeamLike>(teams: T[], agencyCode: string): TeamNode<T>[] {
	const mine = teams.filter((t) => t.agencyCode === agencyCode);
	const nodes = new Map(mine.map((t) => [t.id, { team: t, children: [] as TeamNode<T>[] }]));
	const roots: TeamNode<T>[] = [];
	for (const node of nodes.values()) {
		const parent = node.team.parentId ? nodes.get(node.team.parentId) : undefined;
		(parent ? parent.children : roots).push(node);
	}
	const sort = (list: TeamNode<T>[]) => {
		list.sort((a, b) => a.team.name.localeCompare(b.team.name, 'zh-CN'));
		list.forEach((n) => sort(n.children));
	};
	sort(roots);
	return roots;
}

/** "一大队 / 二中队 / 三分队": the names from the brigade down to the team. */
export function teamPath(teams: TeamLike[], id: string | null): string {
	const byId = new Map(teams.map((t) => [t.id, t]));
	const names: string[] = [];
	// The depth bound guards against a cycle in bad data; real trees have three levels.
	for (let t = id ? byId.get(id) : undefined, depth = 0; t && depth < 5; t = t.parentId ? byId.get(t.parentId) : undefined, depth++) {
		names.unshift(t.name);
	}
	return names.join(' / ');
}
