import { LeaveReason } from '../../signaling/protocol/leave-reason.enum';

/** Why a peer session ended, as history records it: a LeaveReason, or `server_restart`. */
export const SERVER_RESTART = 'server_restart';

export const SESSION_END_REASONS = [...Object.values(LeaveReason), SERVER_RESTART] as const;

export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
