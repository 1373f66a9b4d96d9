/**
 * PLACEHOLDER until hstaff's foundation is merged (the dashboard contract, #25): the types the
 * ticket pages use. hstaff's file replaces this one whole.
 */
import type { preHandlerAsyncHookHandler } from 'fastify';

export type StaffRole = 'admin' | 'technician';

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  slackUserId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffMember;
  }
}

/** Placeholder: refuses everyone (the real guard signs staff in). */
export function staffGuard(_deps: unknown, _required?: 'admin'): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (!request.staff) await reply.redirect(`/staff/sign-in?next=${encodeURIComponent(request.url)}`);
  };
}
