// Care team (issue 2): invite codes, links, the access log, and the clinician's side.
import { type Page, get, post } from "./http";

export interface Person { id: string; email: string; name: string }
export interface Invite { id: number; code: string; created_at: string; expires_at: string; status: string; redeemed_at: string | null }
/** A clinician as a patient sees them: `verified` is false until an operator has checked who they are. */
export interface Clinician extends Person { verified: boolean }
export interface CareLink { id: number; clinician: Clinician; created_at: string; revoked_at: string | null; is_active: boolean }
export interface AccessEvent { id: number; clinician: Person; resource: string; occurred_at: string; ip_address: string | null }

export const createInvite = () => post<Invite>("/api/v1/care/invites");
export const listInvites = () => get<Page<Invite>>("/api/v1/care/invites");
export const cancelInvite = (id: number) => post<Invite>(`/api/v1/care/invites/${id}/cancel`);
export const listLinks = () => get<Page<CareLink>>("/api/v1/care/links");
export const revokeLink = (id: number) => post<CareLink>(`/api/v1/care/links/${id}/revoke`);
export const accessLog = (url = "/api/v1/me/access-log") => get<Page<AccessEvent>>(url);
export const redeemInvite = (code: string) => post<unknown>("/api/v1/care/invites/redeem", { code: code.trim().toUpperCase() });
export const patientProfile = (id: string) => get<any>(`/api/v1/clinician/patients/${id}`);
