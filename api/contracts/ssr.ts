/**
 * What a page rendered on request (Astro, `prerender = false`) receives from the server in
 * `Astro.locals`: the API, called in-process. Pages never build URLs from the Host header, so a
 * forged Host cannot make the server fetch another site.
 */
export interface SsrLocals {
  api(path: string, init?: RequestInit): Promise<Response>;
}
