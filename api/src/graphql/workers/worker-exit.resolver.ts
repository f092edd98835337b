import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { WorkerStatus } from '../worker-view/worker-status.type.ts';

/** How a worker ended, for the workers view: a death is shown as such, not as a clean stop. */
@Resolver(() => WorkerStatus)
export class WorkerExitResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Why the worker ended when it did not stop cleanly: "killed by SIGKILL" or "exited with ' +
      'code 1" (seen by `lab start`, which restarts it), or "presumed dead: no heartbeat for 60 s" ' +
      '(its lease ran out); its run was queued again to resume from its latest checkpoint. Null ' +
      'while it runs and after a clean stop.',
  })
  async exitReason(
    @Root() worker: WorkerStatus,
    @Ctx() { db }: ApiContext,
  ): Promise<string | null> {
    const found = await db.worker.findUnique({
      where: { id: worker.id },
      select: { exitReason: true },
    });
    return found?.exitReason ?? null;
  }
}
