import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { DominoApiPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import { layersOnDisk, toCachedImage } from './disk-cache.js';
import type { Faults } from './faults.js';
import { NODE_POOL_LABEL } from './node-pool-label.js';
import { launchInstance, startInstanceNow, stopInstanceNow } from './sim-instances.js';
import type { SimInstance, SimJob, SimWorld } from './sim-world.js';

/** Tags by which the simulated Domino (and the bot's drain step) recognise an executor's tier. */
export const EXECUTOR_GROUP_TAG = 'domino-executor-group';
export const DEPLOYMENT_TAG = 'domino-deployment';

/**
 * Domino's job API over the simulated executor fleet. A job goes to a running executor of its hardware tier
 * if there is one (so a "test" can land on an old-AMI executor, as in production), else restarts a stopped
 * one, else boots a new executor from the tier's current AMI; Pulling takes ~0 s only if that executor's
 * disk already holds the environment's image.
 */
export function createSimDominoApi(world: SimWorld, clock: Clock, _ec2: Ec2Port, faults: Faults): DominoApiPort {
  const enter = (): number => {
    if (faults.isOn('domino-api-down')) {
      throw new AppError(
        'domino_api_unreachable',
        'The Domino API is unreachable (simulated outage). Try again later.',
      );
    }
    const nowMs = clock.now().getTime();
    world.settle(nowMs);
    return nowMs;
  };
  const requireJob = (jobId: string): SimJob => {
    const job = world.jobs.get(jobId);
    if (job === undefined) throw new AppError('domino_job_not_found', `Domino has no job ${jobId}.`);
    return job;
  };

  const move = (job: SimJob, status: string, atMs: number) => {
    job.status = status;
    job.history.push({ status, atMs });
  };

  /**
   * Domino 4+: a hardware tier that names a node pool (`nodePool`) runs its jobs on a node of that pool — any
   * node of any managed node group labelled with it, whatever AMI it was launched from (the cluster autoscaler is
   * not modelled: no node, no run).
   */
  const placeOnPool = (pool: string, nowMs: number): { executor: SimInstance; atMs: number } | undefined => {
    const nodeIds = [...world.clusters.values()]
      .flatMap((cluster) => [...cluster.nodegroups.values()])
      .filter((ng) => ng.labels[NODE_POOL_LABEL] === pool)
      .flatMap((ng) =>
        [...world.instances.values()].filter(
          (i) => i.tags['eks:nodegroup-name'] === ng.name && i.tags['eks:cluster-name'] === ng.cluster,
        ),
      );
    const node = nodeIds.filter((i) => i.state === 'running').sort((a, b) => a.activeJobs - b.activeJobs)[0];
    return node && { executor: node, atMs: nowMs + world.draw(world.timings.jobSchedule) };
  };

  /** Picks (or brings up) the executor and returns it with the time it can take the job. */
  const placeJob = (job: SimJob, nowMs: number): { executor: SimInstance; atMs: number } | undefined => {
    const pool = world.tiers.find((t) => t.doc._id === job.tierId)?.doc.nodePool;
    if (typeof pool === 'string') return placeOnPool(pool, nowMs);
    const fleet = [...world.instances.values()].filter(
      (i) => i.tags[EXECUTOR_GROUP_TAG] === job.tierId && i.tags[DEPLOYMENT_TAG] === world.deployment,
    );
    const running = fleet.filter((i) => i.state === 'running').sort((a, b) => a.activeJobs - b.activeJobs)[0];
    if (running) {
      const ready = Math.max(running.dominoReadyAtMs ?? nowMs, nowMs);
      return { executor: running, atMs: ready + world.draw(world.timings.jobSchedule) };
    }
    const booting = fleet.find((i) => i.state === 'pending');
    if (booting)
      return {
        executor: booting,
        atMs: booting.dominoReadyAtMs ?? nowMs + world.draw(world.timings.executorRestart),
      };
    const stopped = fleet.find((i) => i.state === 'stopped');
    if (stopped) {
      startInstanceNow(world, stopped, nowMs);
      const atMs = nowMs + world.draw(world.timings.executorRestart);
      stopped.dominoReadyAtMs = atMs;
      return { executor: stopped, atMs };
    }
    const tier = world.tiers.find((t) => t.doc._id === job.tierId);
    const image = tier && world.images.get(tier.doc.executorImage);
    if (image?.state !== 'available') return undefined;
    const executor = launchInstance(world, {
      imageId: image.id,
      nowMs,
      tags: {
        Name: `${world.deployment}-executor-${job.tierId}`,
        [DEPLOYMENT_TAG]: world.deployment,
        [EXECUTOR_GROUP_TAG]: job.tierId,
      },
    });
    job.launchedExecutor = true;
    const atMs = nowMs + world.draw(world.timings.executorLaunch);
    executor.dominoReadyAtMs = atMs;
    return { executor, atMs };
  };

  const run = (job: SimJob, executor: SimInstance, startMs: number, willFail: boolean) => {
    const alive = () => !job.stopRequested;
    job.executorId = executor.id;
    if (executor.state !== 'running') {
      // Terminated or stopped (a drain) while the run waited for it: Domino reports the run as errored.
      move(job, 'Error', startMs);
      job.isCompleted = true;
      return;
    }
    executor.activeJobs++;
    move(job, 'Pulling', startMs);
    const image = world.registry.resolve(job.image);
    // An EKS node's kubelet pulls through containerd (its k8s.io namespace, what a containerd bake fills), an
    // executor of Domino 3.x through docker: the run finds its image in whichever store the node has.
    const store = executor.containerdImages ?? executor.dockerImages;
    const onDisk = layersOnDisk(store);
    const missingBytes = image.layers.filter((l) => !onDisk.has(l.id)).reduce((sum, l) => sum + l.bytes, 0);
    const t = world.timings;
    const pulledMs =
      startMs +
      (store.has(image.ref)
        ? world.draw(t.jobPullCached)
        : world.draw(t.jobPullBase) + Math.round((1000 * missingBytes) / t.jobPullBytesPerSecond));
    const preparedMs = pulledMs + world.draw(t.jobPreparing);
    const endMs = preparedMs + world.draw(t.jobRunning);
    world.schedule(pulledMs, () => {
      store.set(image.ref, toCachedImage(image));
      if (alive()) move(job, 'Preparing', pulledMs);
    });
    // `domino-job-failed`: the run cannot start on the executor, so it fails in Preparing — the case the AMI
    // test exists for (a job that never reaches Running) rather than a user's code failing later.
    const finish = (status: string, atMs: number) => {
      if (!alive()) return;
      move(job, status, atMs);
      job.isCompleted = true;
      release(executor, atMs);
    };
    if (willFail) {
      world.schedule(preparedMs, () => finish('Failed', preparedMs));
      return;
    }
    world.schedule(preparedMs, () => alive() && move(job, 'Running', preparedMs));
    world.schedule(endMs, () => finish('Succeeded', endMs));
  };

  /** Domino stops an executor idle for executorStopTimeout; it keeps its disk (and its old AMI). */
  const release = (executor: SimInstance, atMs: number) => {
    executor.activeJobs = Math.max(0, executor.activeJobs - 1);
    executor.lastJobEndMs = atMs;
    world.schedule(atMs + world.timings.executorIdleStop, (dueMs) => {
      if (executor.activeJobs === 0 && executor.lastJobEndMs === atMs && executor.state === 'running') {
        stopInstanceNow(world, executor, dueMs);
      }
    });
  };

  return {
    async startJob(input) {
      const nowMs = enter();
      const project = world.projects.get(input.projectId);
      if (project === undefined)
        throw new AppError('domino_project_not_found', `Domino has no project ${input.projectId}.`);
      const isTier = (id: string) =>
        world.tiers.some((t) => t.doc._id === id) || world.hardwareTiers.some((t) => t.id === id);
      if (!isTier(input.hardwareTierId)) {
        throw new AppError('domino_hardware_tier_not_found', `Domino has no hardware tier ${input.hardwareTierId}.`);
      }
      const environmentId = input.environmentId ?? project.defaultEnvironmentId;
      const environment = world.environments.get(environmentId);
      if (environment === undefined)
        throw new AppError('domino_environment_not_found', `Domino has no environment ${environmentId}.`);
      const job: SimJob = {
        id: world.ids.job(),
        projectId: project.id,
        tierId: input.hardwareTierId,
        environmentId,
        image: environment.image,
        title: input.title,
        command: input.command,
        status: 'Queued',
        isCompleted: false,
        history: [{ status: 'Queued', atMs: nowMs }],
        stopRequested: false,
      };
      world.jobs.set(job.id, job);
      const willFail = faults.isOn('domino-job-failed');
      const placement = placeJob(job, nowMs);
      if (placement === undefined) {
        // The tier's AMI cannot boot (missing, pending or failed): Domino's autoscaler gives up on the run.
        const atMs = nowMs + world.draw(world.timings.executorLaunch);
        world.schedule(atMs, () => {
          if (job.stopRequested) return;
          move(job, 'Error', atMs);
          job.isCompleted = true;
        });
      } else {
        world.schedule(
          placement.atMs,
          () => job.stopRequested || run(job, placement.executor, placement.atMs, willFail),
        );
      }
      return job.id;
    },
    async getJobStatus(jobId) {
      enter();
      const job = requireJob(jobId);
      return { executionStatus: job.status, isCompleted: job.isCompleted };
    },
    async listHardwareTiers() {
      enter();
      return world.hardwareTiers.map(({ id, name, nodePool }) => ({ id, name, nodePool }));
    },
    async listActiveRuns(hardwareTierIds) {
      enter();
      const tiers = new Set(hardwareTierIds);
      return [...world.jobs.values()]
        .filter((job) => !job.isCompleted && tiers.has(job.tierId))
        .map((job) => {
          const project = world.projects.get(job.projectId);
          return {
            id: job.id,
            project: project ? `${project.owner}/${project.name}` : job.projectId,
            user: job.startedBy ?? project?.owner ?? '',
            hardwareTierId: job.tierId,
            status: job.status,
          };
        });
    },
    async stopJob(jobId) {
      const nowMs = enter();
      const job = requireJob(jobId);
      if (job.isCompleted || job.stopRequested) return;
      job.stopRequested = true;
      move(job, 'StopRequested', nowMs);
      const executor = job.executorId === undefined ? undefined : world.instances.get(job.executorId);
      const stoppingMs = nowMs + 1000;
      const stoppedMs = stoppingMs + world.draw(world.timings.jobStopping);
      world.schedule(stoppingMs, () => move(job, 'Stopping', stoppingMs));
      world.schedule(stoppedMs, () => {
        move(job, 'Stopped', stoppedMs);
        job.isCompleted = true;
        if (executor) release(executor, stoppedMs);
      });
    },
  };
}
