/**
 * Readers for the deploy recipe (Dockerfile, compose.yaml, deploy/Caddyfile), so a test can check what the files
 * say without Docker: the Dockerfile's instructions by stage, the Caddyfile as a tree of directives, and the files
 * and packages the server imports at run time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { builtinModules } from 'node:module';

export interface Instruction {
	/** Upper-case keyword: FROM, RUN, COPY, ... */
	op: string;
	args: string;
	line: number;
}

export interface Stage {
	name: string | null;
	/** The base image with ARG defaults filled in. */
	base: string;
	instructions: Instruction[];
}

/** Splits a Dockerfile into instructions (joining continued lines, leaving out comments) and those into stages. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
	const instructions: Instruction[] = [];
	let pending: { text: string; line: number } | null = null;
	text.split('\n').forEach((raw, i) => {
		const trimmed = raw.trim();
		if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
		if (pending && trimmed.startsWith('#')) return;
		const continued = trimmed.endsWith('\\');
		const body = continued ? trimmed.slice(0, -1) : trimmed;
		pending = pending ? { text: `${pending.text} ${body}`, line: pending.line } : { text: body, line: i + 1 };
		if (!continued) {
			const m = /^(\S+)\s*(.*)$/s.exec(pending.text.trim())!;
			instructions.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: pending.line });
			pending = null;
		}
	});
	const args: Record<string, string> = {};
	const stages: Stage[] = [];
	for (const ins of instructions) {
		if (ins.op === 'FROM') {
			const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
			const base = m[1].replace(/\$\{?(\w+)\}?/g, (_, name: string) => args[name] ?? '');
			stages.push({ name: m[2] ?? null, base, instructions: [] });
		} else if (stages.length === 0) {
			if (ins.op === 'ARG') {
				const [name, value = ''] = ins.args.split('=');
				args[name] = value;
			}
		} else {
			stages.at(-1)!.instructions.push(ins);
		}
	}
	return { args, stages };
}

/** `KEY=value` pairs of ENV instructions (the `ENV a=1 b=2` form). */
export function stageEnv(stage: Stage): Record<string, string> {
	const env: Record<string, string> = {};
	for (const ins of stage.instructions.filter((i) => i.op === 'ENV')) {
		for (const m of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
	}
	return env;
}

/** The COPY instructions of a stage: where from (a stage name, or null for the build context), sources, target. */
export function stageCopies(stage: Stage): { from: string | null; sources: string[]; target: string }[] {
	return stage.instructions
		.filter((i) => i.op === 'COPY')
		.map((i) => {
			const words = i.args.split(/\s+/);
			const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length) ?? null;
			const paths = words.filter((w) => !w.startsWith('--'));
			return { from, sources: paths.slice(0, -1), target: paths.at(-1)! };
		});
}

export interface CaddyNode {
	tokens: string[];
	children: CaddyNode[];
}

/** Reads a Caddyfile into directives and their blocks. Quoted tokens and heredocs are not needed here. */
export function parseCaddyfile(text: string): CaddyNode[] {
	const root: CaddyNode = { tokens: [], children: [] };
	const stack = [root];
	for (const raw of text.split('\n')) {
		const line = raw.replace(/(^|\s)#.*$/, '').trim();
		if (!line) continue;
		if (line === '}') {
			stack.pop();
			continue;
		}
		const opens = line.endsWith('{');
		const node: CaddyNode = { tokens: (opens ? line.slice(0, -1) : line).trim().split(/\s+/).filter(Boolean), children: [] };
		stack.at(-1)!.children.push(node);
		if (opens) stack.push(node);
	}
	return root.children;
}

/** Every node under `nodes` (depth first) with `import <snippet>` replaced by the snippet's directives. */
export function expandSnippets(nodes: CaddyNode[], snippets: Map<string, CaddyNode[]>): CaddyNode[] {
	return nodes.flatMap((n) => {
		if (n.tokens[0] === 'import' && snippets.has(n.tokens[1])) return expandSnippets(snippets.get(n.tokens[1])!, snippets);
		return [{ tokens: n.tokens, children: expandSnippets(n.children, snippets) }];
	});
}

/** Replaces Caddy's `{$NAME:default}` with the value in `env`, or the default. */
export function caddyEnv(text: string, env: Record<string, string>): string {
	return text.replace(/\{\$(\w+)(?::([^}]*))?\}/g, (_, name: string, fallback?: string) => env[name] ?? fallback ?? '');
}

/** Replaces compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` with the value in `env` or the default. */
export function composeEnv(text: string, env: Record<string, string>): string {
	return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
		if (env[name] !== undefined) return env[name];
		if (kind === '-') return rest ?? '';
		throw new Error(`compose needs ${name}: ${rest}`);
	});
}

/**
 * The files (relative to `root`) and the packages that `entries` import at run time, following relative imports
 * and also the worker files named as `'src/…-worker.ts'` constants (started with `new Worker` from the working
 * directory). Type-only imports are followed too: Node strips them, so this errs on the side of more files.
 */
export function runtimeImports(root: string, entries: string[]): { files: string[]; packages: string[]; missing: string[] } {
	const files = new Set<string>();
	const packages = new Set<string>();
	const missing: string[] = [];
	const stack = entries.map((e) => resolve(root, e));
	const builtins = new Set(builtinModules);
	while (stack.length) {
		const file = stack.pop()!;
		if (files.has(file)) continue;
		files.add(file);
		const source = readFileSync(file, 'utf8');
		const specifiers = [...source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)].map(
			(m) => m[1] ?? m[2] ?? m[3]
		);
		for (const spec of specifiers) {
			if (spec.startsWith('.')) {
				const target = resolve(dirname(file), spec);
				if (existsSync(target)) stack.push(target);
				else missing.push(`${relative(root, file)} → ${spec}`);
			} else if (!spec.startsWith('node:') && !builtins.has(spec) && !spec.startsWith('$')) {
				packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
			}
		}
		for (const m of source.matchAll(/'(src\/[^']+-worker\.ts)'/g)) stack.push(join(root, m[1]));
	}
	return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort(), missing };
}

/** The variable names in the first column of the README's configuration table. */
export function documentedVariables(readme: string): Set<string> {
	const section = readme.split(/^## Configuration$/m)[1]?.split(/^#{2,3} /m)[0] ?? '';
	const names = new Set<string>();
	for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
		for (const m of row.split('|')[1].matchAll(/`(\w+)`/g)) names.add(m[1]);
	}
	return names;
}

/**
 * What the built app (`build/`, from `npm run build`) needs beside itself at run time: the packages its modules
 * import (adapter-node bundles dev dependencies and leaves production ones to node_modules), and the worker
 * files it starts from the source tree.
 */
export function builtAppNeeds(buildDir: string): { packages: string[]; workers: string[] } {
	const packages = new Set<string>();
	const workers = new Set<string>();
	const builtins = new Set(builtinModules);
	const visit = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) {
				if (path !== join(buildDir, 'client')) visit(path);
				continue;
			}
			if (!entry.name.endsWith('.js')) continue;
			const source = readFileSync(path, 'utf8');
			// Import statements start a line, and a dynamic import is awaited or chained with then/catch, not followed by
			// a type name; the bundle's doc comments (`/** @import … from 'svelte' */`, `{import('types').X}`) do neither.
			for (const m of source.matchAll(/^(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|(?<![\w.$])import\(\s*['"]([^'"]+)['"]\s*\)(?!\.(?!then\b|catch\b|finally\b)\w)/gm)) {
				const spec = m[1] ?? m[2];
				// `${…}` is a path the bundle builds at run time (its own assets), not a package.
				if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec) || spec.includes('${')) continue;
				packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
			}
			for (const m of source.matchAll(/['"](src\/[^'"]+-worker\.ts)['"]/g)) workers.add(m[1]);
		}
	};
	visit(buildDir);
	return { packages: [...packages].sort(), workers: [...workers].sort() };
}

/**
 * Lays out at `dest` the files the final stage of the Dockerfile copies, as the image would hold them under its
 * WORKDIR: paths copied from the build stage come from this checkout (built with `npm run build`), and
 * node_modules holds only the packages package-lock.json does not mark as dev (hard links, so it is quick).
 */
export function assembleImageFiles(root: string, stages: Stage[], dest: string): void {
	const final = stages.at(-1)!;
	for (const copy of stageCopies(final)) {
		if (copy.from === null) throw new Error(`COPY from the build context in the final stage: ${copy.sources.join(' ')}`);
		for (const source of copy.sources) {
			const relativeSource = source.replace(/^\/app\//, '');
			const target = join(dest, copy.target);
			mkdirSync(dirname(target), { recursive: true });
			if (relativeSource === 'node_modules') {
				const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
				for (const [key, entry] of Object.entries(lock.packages)) {
					// Top-level packages only: a production package's nested node_modules come with it.
					if (!key || entry.dev || !/^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) || !existsSync(join(root, key))) continue;
					mkdirSync(dirname(join(target, key.slice('node_modules/'.length))), { recursive: true });
					execFileSync('cp', ['-al', join(root, key), join(target, key.slice('node_modules/'.length))]);
				}
			} else {
				execFileSync('cp', ['-al', join(root, relativeSource), target]);
			}
		}
	}
}
