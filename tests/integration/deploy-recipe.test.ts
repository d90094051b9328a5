/**
 * The deploy recipe: the Dockerfile, compose.yaml and deploy/Caddyfile say what production needs (a small non-root
 * image with production dependencies only, two instances on one PostgreSQL, TLS and live connections through the
 * proxy). Read as files, so this runs anywhere; with a Docker daemon the image is built too, and with the compose
 * plugin the compose file is validated by Docker itself.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, posix } from 'node:path';
import YAML from 'yaml';
import {
	assembleImageFiles,
	builtAppNeeds,
	caddyEnv,
	composeEnv,
	documentedVariables,
	expandSnippets,
	parseCaddyfile,
	parseDockerfile,
	runtimeImports,
	stageCopies,
	stageEnv,
	type CaddyNode
} from '../helpers/deploy-recipe.ts';
import { freePort, waitForHealth } from '../helpers/server.ts';
import { SERVER_NODE_FLAGS } from '../../server/node-flags.ts';
import { signIn } from '../helpers/accounts.ts';
import { HttpClient } from '../helpers/http.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const docker = parseDockerfile(read('Dockerfile'));
const final = docker.stages.at(-1)!;
const finalEnv = stageEnv(final);
const workdir = final.instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';
const pkg = JSON.parse(read('package.json')) as { type: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** What compose would run with only the required password given. */
const COMPOSE_ENV = { POSTGRES_PASSWORD: 'secret123' };
const compose = YAML.parse(read('compose.yaml'), { merge: true }) as {
	services: Record<string, Record<string, any>>;
	volumes?: Record<string, unknown>;
};
const services = compose.services;
const envOf = (name: string): Record<string, string> =>
	Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, composeEnv(String(v), COMPOSE_ENV)]));
const appNames = Object.keys(services).filter((n) => services[n].build !== undefined);
const dbName = Object.keys(services).find((n) => /^postgres:/.test(services[n].image ?? ''))!;
const proxyName = Object.keys(services).find((n) => /^caddy:/.test(services[n].image ?? ''))!;

/** The Caddyfile as Caddy would read it in the proxy container, with the environment compose gives it. */
const proxyEnv = envOf(proxyName);
const caddyTree = parseCaddyfile(caddyEnv(read('deploy/Caddyfile'), proxyEnv));
const snippets = new Map(caddyTree.filter((n) => /^\(.+\)$/.test(n.tokens[0])).map((n) => [n.tokens[0].slice(1, -1), n.children]));
const sites = caddyTree.filter((n) => !/^\(.+\)$/.test(n.tokens[0]) && n.tokens.length > 0 && n.children.length > 0);
const flatten = (nodes: CaddyNode[]): CaddyNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

/** Where a path inside the container comes from on the host, through the proxy's bind mounts. */
function hostPathOf(service: string, containerPath: string): string | null {
	for (const volume of services[service].volumes ?? []) {
		const [host, target] = String(volume).split(':');
		if (!host.startsWith('.')) continue;
		if (containerPath === target || containerPath.startsWith(`${target}/`)) return posix.join(host, containerPath.slice(target.length));
	}
	return null;
}

function dockerState(): { ready: boolean; compose: boolean; reason: string } {
	const run = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8', timeout: 20_000 });
	const version = run(['--version']);
	if (version.error || version.status !== 0) return { ready: false, compose: false, reason: 'no docker command' };
	const composePlugin = run(['compose', 'version']).status === 0;
	const info = run(['info']);
	if (info.status !== 0) return { ready: false, compose: composePlugin, reason: 'docker info fails: no daemon reachable' };
	return { ready: true, compose: composePlugin, reason: '' };
}
const dockerHere = dockerState();

describe('the Dockerfile', () => {
	it('builds in one stage and runs from another, on a slim Node 24 image', () => {
		expect(docker.stages.length).toBeGreaterThanOrEqual(2);
		expect(final.base).toMatch(/^node:24[\w.-]*-slim$/);
		// The final stage starts from a clean base, not from the build stage with its dev tools.
		expect(docker.stages.map((s) => s.name)).not.toContain(final.base);
	});

	it('runs as an unprivileged user', () => {
		const users = final.instructions.filter((i) => i.op === 'USER');
		expect(users.length).toBeGreaterThan(0);
		expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
		// Nothing after the switch runs as root again.
		const lastUser = final.instructions.indexOf(users.at(-1)!);
		expect(final.instructions.slice(lastUser).filter((i) => i.op === 'RUN')).toEqual([]);
	});

	it('checks its health at /healthz on the port it listens on and exposes', () => {
		const health = final.instructions.filter((i) => i.op === 'HEALTHCHECK');
		expect(health).toHaveLength(1);
		expect(health[0].args).toMatch(/\bCMD\b/);
		expect(health[0].args).toContain('/healthz');
		expect(health[0].args).toContain('process.env.PORT');
		expect(final.instructions.filter((i) => i.op === 'EXPOSE').map((i) => i.args)).toEqual([finalEnv.PORT]);
		expect(final.instructions.at(-1)).toMatchObject({ op: 'CMD' });
		expect(final.instructions.at(-1)!.args).toContain('server/main.ts');
	});

	it("starts the server with Node's options for it, as package.json's scripts and the tests do", () => {
		expect(JSON.parse(final.instructions.at(-1)!.args)).toEqual(['node', ...SERVER_NODE_FLAGS, 'server/main.ts']);
		const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
		const starts = Object.values(scripts).filter((s) => s.includes('server/main.ts'));
		expect(starts.length).toBeGreaterThanOrEqual(3);
		for (const script of starts) expect(script).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} server/main.ts`);
	});

	it('keeps the embedded database in a volume owned by the user it runs as', () => {
		expect(finalEnv.DATA_DIR).toMatch(/^\//);
		const volumes = final.instructions.filter((i) => i.op === 'VOLUME').map((i) => i.args);
		expect(volumes.join(' ')).toContain(`"${finalEnv.DATA_DIR}"`);
		const user = final.instructions.filter((i) => i.op === 'USER').at(-1)!.args;
		expect(final.instructions.some((i) => i.op === 'RUN' && i.args.includes(`chown ${user}:${user} ${finalEnv.DATA_DIR}`))).toBe(true);
	});

	it('carries production dependencies only: its node_modules come from an install that omits dev dependencies', () => {
		expect(final.instructions.filter((i) => i.op === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args))).toEqual([]);
		const modules = stageCopies(final).filter((c) => c.sources.some((s) => s.endsWith('node_modules')));
		expect(modules).toHaveLength(1);
		const from = docker.stages.find((s) => s.name === modules[0].from)!;
		expect(from).toBeDefined();
		const installs = from.instructions.filter((i) => i.op === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));
		expect(installs.length).toBeGreaterThan(0);
		for (const install of installs) {
			const pruned = from.instructions.some((i) => i.op === 'RUN' && /npm prune --omit=dev/.test(i.args) && i.line > install.line);
			expect(install.args.includes('--omit=dev') || pruned, `line ${install.line}: ${install.args}`).toBe(true);
		}
	});

	it('copies every file the server, the command line and the export workers import at run time, and each package is a production dependency', () => {
		// The built app (npm run build) starts export workers from the source tree and imports production packages.
		const built = builtAppNeeds(join(ROOT, 'build'));
		expect(built.workers.length).toBeGreaterThan(0);
		const imports = runtimeImports(ROOT, ['server/main.ts', 'server/cli.ts', ...built.workers]);
		expect(imports.missing).toEqual([]);
		// Sanity: the walk reached the hub, the database layer and an export worker.
		expect(imports.files).toEqual(expect.arrayContaining(['server/hub/hub.ts', 'src/lib/server/db/migrate.ts', 'src/lib/server/after-action/export-worker.ts']));
		const copied = stageCopies(final).map((c) => posix.relative(workdir, posix.resolve(workdir, c.target)));
		const uncovered = imports.files.filter((f) => !copied.some((dir) => f === dir || f.startsWith(`${dir}/`)));
		expect(uncovered).toEqual([]);
		const notProduction = [...imports.packages, ...built.packages].filter((p) => !(p in pkg.dependencies));
		expect(notProduction).toEqual([]);
		// The built pages, the migrations, and package.json ("type": "module" makes Node read the .ts files as ES modules).
		expect(pkg.type).toBe('module');
		for (const needed of ['build', 'migrations', 'package.json']) expect(copied).toContain(needed);
	});

	it('leaves what is built inside the image, the checkout’s node_modules and the recipe’s secrets out of the build context', () => {
		const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
		for (const path of ['node_modules', 'build', 'src/lib/paraglide', 'data', '.git', '.env', 'deploy/certs']) expect(ignored).toContain(path);
	});
});

describe('the image’s files', () => {
	it(
		'start the board with production dependencies only (embedded database, demo seeded), serve a signed-in commander, and run the command line',
		async () => {
			const dir = mkdtempSync(join(tmpdir(), 'liandong-image-'));
			const app = join(dir, 'app');
			let child: ChildProcess | null = null;
			let log = '';
			try {
				assembleImageFiles(ROOT, docker.stages, app);
				// No dev package made it in: none of the build and test tools is there to be imported by accident.
				for (const dev of ['vite', 'vitest', '@sveltejs/kit', 'svelte', 'node']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
				const port = await freePort();
				const env = { ...process.env, ...finalEnv, DATA_DIR: join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1' } as NodeJS.ProcessEnv;
				delete env.DATABASE_URL;
				child = spawn(process.execPath, ['server/main.ts', '--demo'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
				child.stdout!.on('data', (d) => (log += d));
				child.stderr!.on('data', (d) => (log += d));
				const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`exited with ${code}:\n${log}`))));
				await Promise.race([waitForHealth(`http://127.0.0.1:${port}`, 120_000), exited]);

				const commander = await signIn(new HttpClient(`http://127.0.0.1:${port}`), 'commander', 'liandong-demo');
				const events = (await (await commander.request('/api/events')).json()) as { events: { name: string }[] };
				expect(events.events.map((e) => e.name)).toContain('2026古城灯会开幕周安保');
				const page = await commander.request('/');
				expect(page.status).toBe(200);

				await new Promise<void>((resolve) => {
					child!.once('exit', () => resolve());
					child!.kill('SIGTERM');
				});
				child = null;
				const cli = spawnSync(process.execPath, ['server/cli.ts', 'event', 'list', '--json'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
				expect(cli.status, cli.stderr).toBe(0);
				expect(cli.stdout).toContain('2026古城灯会开幕周安保');
			} finally {
				child?.kill('SIGKILL');
				rmSync(dir, { recursive: true, force: true });
			}
		},
		180_000
	);
});

describe('compose.yaml', () => {
	it('runs two instances of the image on one PostgreSQL database, started once it is healthy', () => {
		expect(appNames).toHaveLength(2);
		expect(dbName).toBeDefined();
		const db = services[dbName];
		expect(db.healthcheck?.test?.join(' ')).toMatch(/pg_isready/);
		const dataVolume = (db.volumes as string[]).find((v) => v.endsWith(':/var/lib/postgresql/data'))!;
		expect(dataVolume).toBeDefined();
		expect(compose.volumes).toHaveProperty(dataVolume.split(':')[0]);

		const urls = appNames.map((n) => envOf(n).DATABASE_URL);
		expect(new Set(urls).size).toBe(1);
		const url = new URL(urls[0]);
		const dbEnv = envOf(dbName);
		expect(url.protocol).toBe('postgres:');
		expect(url.hostname).toBe(dbName);
		expect(url.username).toBe(dbEnv.POSTGRES_USER);
		expect(decodeURIComponent(url.password)).toBe(dbEnv.POSTGRES_PASSWORD);
		expect(url.pathname).toBe(`/${dbEnv.POSTGRES_DB}`);
		for (const n of appNames) {
			expect(services[n].depends_on?.[dbName]?.condition).toBe('service_healthy');
			expect(services[n].build).toBe('.');
		}
	});

	it('sets only variables the server reads, each in the README’s configuration table', () => {
		const documented = documentedVariables(read('README.md'));
		expect(documented.has('DATABASE_URL')).toBe(true);
		for (const n of appNames) {
			const unknown = Object.keys(envOf(n)).filter((k) => !documented.has(k));
			expect(unknown, n).toEqual([]);
		}
	});

	it('gives the instances the https origin people reach through the proxy, and time to shut down cleanly', () => {
		const site = sites.map((s) => s.tokens[0]);
		expect(site).toHaveLength(1);
		for (const n of appNames) {
			expect(envOf(n).ORIGIN).toBe(`https://${site[0]}`);
			// SIGTERM finishes commits and tells clients to reconnect within 10 s; docker's default grace is 10 s.
			expect(Number(String(services[n].stop_grace_period).replace(/s$/, ''))).toBeGreaterThan(10);
		}
	});

	it('publishes only the proxy, on 80 and 443, with the Caddyfile and its TLS choices mounted', () => {
		const proxy = services[proxyName];
		expect(proxy.ports.map(String)).toEqual(expect.arrayContaining(['80:80', '443:443']));
		for (const n of [...appNames, dbName]) expect(services[n].ports).toBeUndefined();
		expect(hostPathOf(proxyName, '/etc/caddy/Caddyfile')).toBe('deploy/Caddyfile');
		for (const n of appNames) expect(proxy.depends_on?.[n]?.condition).toBe('service_healthy');
	});
});

describe('deploy/Caddyfile', () => {
	const site = expandSnippets(sites[0]?.children ?? [], snippets);
	const proxies = flatten(site).filter((n) => n.tokens[0] === 'reverse_proxy');
	const upstreamsOf = (node: CaddyNode) => [...node.tokens.slice(1).filter((t) => !t.startsWith('@')), ...node.children.filter((c) => c.tokens[0] === 'to').flatMap((c) => c.tokens.slice(1))];
	const appPort = finalEnv.PORT;

	it('serves TLS: Caddy’s own authority by default, your certificate by configuration', () => {
		const imports = site.filter((n) => n.tokens[0] === 'import').map((n) => n.tokens[1]);
		expect(imports).toEqual(['tls/internal.caddy']);
		const tlsOf = (choice: string) => {
			const nodes = parseCaddyfile(read(`deploy/tls/${choice}.caddy`)).filter((n) => n.tokens[0] === 'tls');
			expect(nodes).toHaveLength(1);
			return nodes[0].tokens.slice(1);
		};
		expect(tlsOf('internal')).toEqual(['internal']);
		// The own certificate's files are mounted from deploy/certs, which the image and git leave out.
		const own = tlsOf('own');
		expect(own).toHaveLength(2);
		for (const file of own) expect(hostPathOf(proxyName, file)).toMatch(/^deploy\/certs\//);
		expect(hostPathOf(proxyName, '/etc/caddy/tls/own.caddy')).toBe('deploy/tls/own.caddy');
	});

	it('sends every request to both instances, keeps a browser on one (sticky cookie) and skips one whose /healthz fails', () => {
		expect(proxies.length).toBeGreaterThan(0);
		const expected = appNames.map((n) => `${n}:${appPort}`).sort();
		for (const p of proxies) {
			expect(upstreamsOf(p).sort()).toEqual(expected);
			const option = (name: string) => p.children.find((c) => c.tokens[0] === name)?.tokens.slice(1);
			expect(option('lb_policy')?.[0]).toMatch(/^(cookie|ip_hash|client_ip_hash)$/);
			expect(option('health_uri')).toEqual(['/healthz']);
		}
		// The last reverse_proxy has no matcher: nothing falls through unanswered.
		expect(proxies.at(-1)!.tokens.slice(1).filter((t) => t.startsWith('@'))).toEqual([]);
	});

	it('routes the WebSocket paths the server upgrades (/yjs/ and /socket.io/) to the instances', () => {
		const app = read('server/app.ts');
		const upgraded = [...new Set([...app.matchAll(/path\.startsWith\('(\/[^']+\/)'\)/g)].map((m) => m[1]))].sort();
		expect(upgraded).toEqual(['/socket.io/', '/yjs/']);
		const matchers = new Map(site.filter((n) => n.tokens[0].startsWith('@')).map((n) => [n.tokens[0], n.tokens.slice(2)]));
		const routed = proxies.flatMap((p) => p.tokens.slice(1).filter((t) => t.startsWith('@')).flatMap((m) => matchers.get(m) ?? []));
		for (const prefix of upgraded) expect(routed).toContain(`${prefix}*`);
	});
});

/** Caddy's own reading of the Caddyfile (`caddy adapt`), with the environment compose would give the proxy. */
const caddyHere = spawnSync('caddy', ['version'], { encoding: 'utf8' }).status === 0;
function adaptCaddyfile(env: Record<string, string>): any {
	const out = execFileSync('caddy', ['adapt', '--config', 'deploy/Caddyfile'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
	return JSON.parse(out);
}

describe('with Caddy', () => {
	it.runIf(caddyHere)(
		`adapts the Caddyfile as the test reads it, with Caddy's own certificate by default and yours with LIANDONG_TLS=own${caddyHere ? '' : ' (skipped: no caddy command here)'}`,
		() => {
			const byDefault = adaptCaddyfile(proxyEnv);
			const server = Object.values(byDefault.apps.http.servers as Record<string, any>)[0];
			expect(server.listen).toEqual([':443']);
			expect(server.routes[0].match[0].host).toEqual([sites[0].tokens[0]]);
			const proxies = JSON.stringify(server.routes[0].handle).match(/"handler":"reverse_proxy"/g) ?? [];
			expect(proxies.length).toBe(2);
			const handlers = server.routes[0].handle[0].routes.map((r: any) => r.handle[0]);
			for (const h of handlers) {
				expect(h.upstreams.map((u: { dial: string }) => u.dial).sort()).toEqual(appNames.map((n) => `${n}:${finalEnv.PORT}`).sort());
				expect(h.load_balancing.selection_policy.policy).toBe('cookie');
				expect(h.health_checks.active.uri).toBe('/healthz');
			}
			expect(server.routes[0].handle[0].routes[0].match[0].path).toEqual(['/yjs/*', '/socket.io/*']);
			expect(byDefault.apps.tls.automation.policies[0].issuers).toEqual([{ module: 'internal' }]);

			const own = adaptCaddyfile({ ...proxyEnv, LIANDONG_HOST: 'board.example.org', LIANDONG_TLS: 'own' });
			expect(own.apps.tls.certificates.load_files).toEqual([expect.objectContaining({ certificate: '/certs/board.crt', key: '/certs/board.key' })]);
			expect(own.apps.tls.automation).toBeUndefined();
		}
	);
});

describe('with Docker', () => {
	it.runIf(dockerHere.compose)(
		`validates compose.yaml with docker compose config${dockerHere.compose ? '' : ' (skipped: no docker compose plugin here)'}`,
		() => {
			const out = execFileSync('docker', ['compose', 'config', '--quiet'], { cwd: ROOT, env: { ...process.env, ...COMPOSE_ENV }, encoding: 'utf8' });
			expect(out.trim()).toBe('');
		}
	);

	it.runIf(dockerHere.ready)(
		`builds the image, which runs as node and serves /healthz on the embedded database${dockerHere.ready ? '' : ` (skipped: ${dockerHere.reason})`}`,
		async () => {
			const tag = `liandong:recipe-test-${process.pid}`;
			execFileSync('docker', ['build', '--tag', tag, '.'], { cwd: ROOT, stdio: 'ignore', timeout: 900_000 });
			let container = '';
			try {
				const [image] = JSON.parse(execFileSync('docker', ['image', 'inspect', tag], { encoding: 'utf8' })) as { Config: { User: string; Healthcheck: { Test: string[] } } }[];
				expect(image.Config.User).toBe('node');
				expect(image.Config.Healthcheck.Test.join(' ')).toContain('/healthz');
				// The built app is in it, and no dev tool is.
				const listing = execFileSync('docker', ['run', '--rm', '--entrypoint', 'sh', tag, '-c', 'ls build; ls node_modules/.bin 2>/dev/null; true'], { encoding: 'utf8' });
				expect(listing).toContain('handler.js');
				expect(listing).not.toMatch(/\b(vite|vitest|svelte-check)\b/);
				// It starts, migrates the embedded database in its volume and answers /healthz.
				container = execFileSync('docker', ['run', '--detach', '--publish', '127.0.0.1::3000', tag], { encoding: 'utf8' }).trim();
				const published = execFileSync('docker', ['port', container, '3000/tcp'], { encoding: 'utf8' }).trim().split('\n')[0];
				await waitForHealth(`http://${published}`, 120_000);
				const health = await (await fetch(`http://${published}/healthz`)).json();
				expect(health).toMatchObject({ status: 'ok', database: { kind: 'embedded', reachable: true } });
			} finally {
				if (container) spawnSync('docker', ['rm', '--force', '--volumes', container], { stdio: 'ignore' });
				spawnSync('docker', ['image', 'rm', tag], { stdio: 'ignore' });
			}
		},
		900_000
	);

	it('has the files the recipe mounts', () => {
		for (const path of ['deploy/Caddyfile', 'deploy/tls/internal.caddy', 'deploy/tls/own.caddy', 'deploy/certs/README.md']) expect(existsSync(join(ROOT, path)), path).toBe(true);
	});
});
