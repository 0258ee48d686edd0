// Care team: give a clinician a one-time code, see and revoke clinicians, read who looked.
import { useEffect, useState } from "preact/hooks";
import { type AccessEvent, type CareLink, type Invite, accessLog, cancelInvite, createInvite, listInvites, listLinks, revokeLink } from "../api/care";
import { FormError, useAction, useLatest } from "../ui/form";
import { formatDateTime } from "../ui/time";
import { toast } from "../store";

export function Care() {
  const [invites, setInvites] = useState<Invite[]>([]);
  const [links, setLinks] = useState<CareLink[]>([]);
  const [log, setLog] = useState<AccessEvent[]>([]);
  const [logNext, setLogNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useLatest(
    () => Promise.all([listInvites(), listLinks(), accessLog()]),
    ([i, l, a]) => {
      setInvites(i.results.filter((x) => x.status === "open"));
      setLinks(l.results);
      setLog(a.results);
      setLogNext(a.next ?? null);
    },
  );
  useEffect(() => void load().catch(setError), []);

  const create = useAction(async () => {
    await createInvite();
    await load();
  });
  const revoke = async (link: CareLink) => {
    if (!confirm(`Stop sharing your diary with ${link.clinician.name || link.clinician.email}?`)) return;
    try {
      await revokeLink(link.id);
      toast("Access revoked.");
      await load();
    } catch (e) {
      setError(e);
    }
  };
  const cancel = async (invite: Invite) => {
    await cancelInvite(invite.id).catch(setError);
    await load().catch(setError);
  };
  const active = links.filter((l) => l.is_active);

  return (
    <main id="main">
      <h1>Care team</h1>
      <FormError error={error} />
      <section class="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Share with a clinician</h2>
        <p class="muted">Give your clinician a one-time code. It works once and expires after 48 hours.</p>
        <FormError error={create.error} />
        {invites.map((i) => (
          <div class="invite">
            <p class="code" data-testid="invite-code" aria-label={`Invite code ${i.code.split("").join(" ")}`}>{i.code}</p>
            <p class="muted">Expires {formatDateTime(i.expires_at)}</p>
            <button class="small" onClick={() => cancel(i)}>Cancel this code</button>
          </div>
        ))}
        <button class="primary wide" onClick={() => create.run()} disabled={create.busy}>Create an invite code</button>
      </section>
      <section class="card" aria-labelledby="links-title">
        <h2 id="links-title">Clinicians who can see your diary</h2>
        {active.length === 0 && <p class="muted">Nobody yet.</p>}
        <ul class="plain">
          {active.map((l) => (
            <li class="row" data-testid="care-link">
              <span>
                {l.clinician.name || l.clinician.email}
                {!l.clinician.verified && <> <small class="badge pending" data-testid="not-verified" title="Nobody has checked yet that this account belongs to a clinician.">not verified</small></>}
                <br /><small class="muted">since {formatDateTime(l.created_at)}</small>
              </span>
              <button class="small danger" onClick={() => revoke(l)} aria-label={`Revoke access for ${l.clinician.name || l.clinician.email}`}>Revoke</button>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="log-title">
        <h2 id="log-title">Who looked at your diary</h2>
        {log.length === 0 && <p class="muted">No clinician has opened your diary yet.</p>}
        <ul class="plain">
          {log.map((e) => (
            <li class="row">
              <span>{e.clinician_label} read <em>{e.resource}</em></span>
              <small class="muted">{formatDateTime(e.occurred_at)}</small>
            </li>
          ))}
        </ul>
        {logNext && (
          <button class="secondary wide" onClick={() => accessLog(logNext).then((p) => (setLog([...log, ...p.results]), setLogNext(p.next ?? null)), setError)}>Show more</button>
        )}
      </section>
    </main>
  );
}
