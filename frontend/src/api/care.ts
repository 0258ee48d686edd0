// Care team (issue 2): invite codes, links, the access log, and the clinician's side.
import { get, post } from "./http";
import type { components } from "./schema.gen";

type S = components["schemas"];
export type Invite = S["InviteOutput"];
export type CareLink = S["CareLinkOutput"];
export type AccessEvent = S["AccessEventOutput"];
export type PatientProfile = S["PatientProfileOutput"];

export const createInvite = () => post<Invite>("/api/v1/care/invites");
export const listInvites = () => get<S["PaginatedInviteOutputList"]>("/api/v1/care/invites");
export const cancelInvite = (id: number) => post<Invite>(`/api/v1/care/invites/${id}/cancel`);
export const listLinks = () => get<S["PaginatedCareLinkOutputList"]>("/api/v1/care/links");
export const revokeLink = (id: number) => post<CareLink>(`/api/v1/care/links/${id}/revoke`);
export const accessLog = (url = "/api/v1/me/access-log") => get<S["PaginatedAccessEventOutputList"]>(url);
export const redeemInvite = (code: string) =>
  post<S["ClinicianLinkOutput"]>("/api/v1/care/invites/redeem", { code: code.trim().toUpperCase() } satisfies S["RedeemInputRequest"]);
export const patientProfile = (id: string) => get<PatientProfile>(`/api/v1/clinician/patients/${id}`);
