/**
 * One upload (docs/protocol.md, "Files"): the file itself as the request body,
 * over XMLHttpRequest because fetch cannot report upload progress. The upload
 * id is the client's own and is kept across retries, so a retry after a lost
 * answer gets the stored upload back instead of storing a second copy.
 *
 * Shared by the widget (a visitor's `Authorization: Bearer` token) and the agent
 * console (its session and `X-CSRFToken`): the caller gives the headers that say
 * who is sending.
 */
import type { Upload } from '../../client/protocol';

export interface Refusal {
  /**
   * The server's error code; 'failed' when no answer came (offline, dropped),
   * 'server_error' for a 5xx without one, 'cancelled'.
   */
  code: string;
  status: number;
  retryAfter?: number;
}

export interface Sending {
  done: Promise<Upload>;
  cancel(): void;
}

/** Refusals that may pass if tried again (the others need another file). */
export const TRANSIENT = ['failed', 'scan_unavailable', 'upload_in_progress', 'upload_rate_limited', 'rate_limited', 'server_error'];

export function upload(url: string, file: File, id: string, headers: Record<string, string>,
                       progress: (fraction: number) => void): Sending {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Upload>((resolve, reject) => {
    const refused = (code: string) => reject({ code, status: xhr.status } as Refusal);
    xhr.open('POST', url);
    for (const name in headers) xhr.setRequestHeader(name, headers[name]);
    xhr.setRequestHeader('X-Papo-Name', encodeURIComponent(file.name));
    xhr.setRequestHeader('X-Papo-Upload-Id', id);
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { error?: string; retry_after?: number } & Partial<Upload> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: a proxy's page, or the server's own 413 before the body */
      }
      if (xhr.status === 200 || xhr.status === 201) return resolve(body as Upload);
      const code = body.error || (xhr.status === 413 ? 'file_too_large' : xhr.status >= 500 ? 'server_error' : 'failed');
      reject({ code, status: xhr.status, retryAfter: body.retry_after } as Refusal);
    };
    xhr.onerror = () => refused('failed');
    xhr.ontimeout = () => refused('failed');
    xhr.onabort = () => refused('cancelled');
    xhr.send(file);
  });
  return { done, cancel: () => xhr.abort() };
}
