/**
 * One upload (docs/protocol.md, "Files"): the file itself as the request body,
 * over XMLHttpRequest because fetch cannot report upload progress. The upload
 * id is the client's own and is kept across retries, so a retry after a lost
 * answer gets the stored upload back instead of storing a second copy.
 */
import type { Upload } from '../../client/protocol';

export interface Refusal {
  /** The server's error code; 'failed' when no answer came (offline, dropped), 'cancelled'. */
  code: string;
  status: number;
  retryAfter?: number;
}

export interface Sending {
  done: Promise<Upload>;
  cancel(): void;
}

export function upload(url: string, file: File, id: string, token: string,
                       progress: (fraction: number) => void): Sending {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Upload>((resolve, reject) => {
    const refused = (code: string) => reject({ code, status: xhr.status } as Refusal);
    xhr.open('POST', url);
    xhr.setRequestHeader('Authorization', 'Bearer ' + token);
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
      const code = body.error || (xhr.status === 413 ? 'file_too_large' : 'failed');
      reject({ code, status: xhr.status, retryAfter: body.retry_after } as Refusal);
    };
    xhr.onerror = () => refused('failed');
    xhr.ontimeout = () => refused('failed');
    xhr.onabort = () => refused('cancelled');
    xhr.send(file);
  });
  return { done, cancel: () => xhr.abort() };
}
