import { relayArtifact } from '../../../lib/artifact-download.ts';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ path: string[] }> };

/**
 * An artifact's download, relayed from the API's /artifacts/<id> (a file, or a folder as .tar),
 * /artifacts/<id>/files (its files) and /artifacts/<id>/files/<name> (one of them) with the
 * dashboard's key, which stays on this server.
 */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  return relayArtifact(request, (await params).path);
}

export const HEAD = GET;
