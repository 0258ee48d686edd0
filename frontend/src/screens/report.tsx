// "Report for my doctor": the one-page visit report of the last 12 weeks, rendered on the
// server. Shared as a PDF through the Web Share API where the phone can share files,
// otherwise opened (or downloaded) from a blob; the HTML version opens for printing.
import { ApiError } from "../api/http";
import { toast } from "../store";
import { FormError, useAction } from "../ui/form";

const PDF_URL = "/api/v1/reports/visit.pdf";
const HTML_URL = "/api/v1/reports/visit";

async function fetchReport(): Promise<File> {
  let response: Response;
  try {
    response = await fetch(PDF_URL, { credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "offline", "No connection: the report is made on the server.");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.error?.code ?? "error", body?.error?.message ?? "The report could not be made.");
  }
  const blob = await response.blob();
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "visit-report.pdf";
  return new File([blob], name, { type: "application/pdf" });
}

export function ReportForDoctor() {
  const share = useAction(async () => {
    const file = await fetchReport();
    const nav = navigator as Navigator & { canShare?: (data: ShareData) => boolean };
    if (nav.canShare?.({ files: [file] })) {
      try {
        await nav.share({ files: [file], title: "Report for my doctor" });
        return;
      } catch (e) {
        if ((e as DOMException)?.name === "AbortError") return; // the patient closed the share sheet
      }
    }
    const url = URL.createObjectURL(file);
    const link = document.createElement("a");
    link.href = url;
    link.download = file.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    toast("Report downloaded.");
  });
  return (
    <section class="card" aria-labelledby="report-title">
      <h2 id="report-title">Report for my doctor</h2>
      <p class="muted">One page: the last 12 weeks of cramps, the before/after verdict, doses taken and lab results.</p>
      <FormError error={share.error} />
      <button class="primary wide" onClick={() => share.run()} disabled={share.busy}>
        {share.busy ? "Making the report…" : "Report for my doctor"}
      </button>
      <p><a href={HTML_URL} target="_blank" rel="noopener">Open it as a page to print</a></p>
    </section>
  );
}
