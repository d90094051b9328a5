import type { Kysely } from 'kysely';
import type { DB } from '$lib/server/db/schema';
import type { AppServices, ServicedRequest } from '$lib/server/services';
import type { Session, SessionUser } from '$lib/server/auth/session';
import type { Logger } from '$lib/server/log';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** A short reference to find the log line for an unexpected error. */
			code?: string;
		}
		interface Locals {
			db: Kysely<DB>;
			services: AppServices;
			user: SessionUser | null;
			session: Session | null;
			/** This request's logger: its id, and the user and event once known. */
			log: Logger;
		}
		interface Platform {
			req: ServicedRequest;
		}
	}
}

export {};
