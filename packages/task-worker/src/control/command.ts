/** What a control command acts on: the worker, seen through the operations remote control may use. */
export interface ControlTarget {
  /** the pool's size now */
  readonly concurrency: number;
  /** whether the worker registered a task of that name */
  hasTask(task: string): boolean;
  setConcurrency(size: number): void;
  setAutoscale(max: number, min: number): void;
  restartPool(): Promise<void>;
  /** false when the worker already consumes that queue */
  addConsumer(queue: string): boolean;
  /** resolves when the queue's consumer is ready */
  consumerReady(queue: string): Promise<void>;
  /** false when the worker does not consume that queue */
  cancelConsumer(queue: string): Promise<boolean>;
  setRateLimit(task: string, rate: string): void;
  setTimeLimit(task: string, soft: number | null, hard: number | null): void;
  /** true when a running task was terminated */
  revoke(id: string, terminate: boolean): boolean;
  requestShutdown(reason: string): void;
}

/** What argument checks may know beyond the arguments: a worker knows its tasks, the monitor does not. */
export interface ControlArgsContext {
  isRegistered?: (task: string) => boolean;
}

/** One remote-control command, as its file declares it. */
export interface ControlCommandSpec<N extends string, A> {
  name: N;
  /**
   * Validates the arguments from the wire; throws an Error whose message is the reply. The monitor
   * runs it before publishing, the worker before acting, so both reject the same arguments.
   */
  parseArgs(raw: Record<string, unknown>, context?: ControlArgsContext): A;
  /** acts on the worker; resolves to the reply's message */
  run(target: ControlTarget, args: A): Promise<string> | string;
  /** after a successful reply was sent (a shutdown starts only once it was answered) */
  afterReply?(target: ControlTarget): void;
  /** whether the worker sends a heartbeat afterwards, so the monitor sees the new state at once */
  heartbeat: boolean;
}

/** A command of the table, its argument type erased. */
export interface ControlHandler<N extends string = string> {
  readonly name: N;
  readonly heartbeat: boolean;
  /** throws when the arguments are invalid (the reply's message) */
  validate(raw: Record<string, unknown>, context?: ControlArgsContext): void;
  /** validates the arguments and runs the command on the worker */
  execute(target: ControlTarget, raw: Record<string, unknown>): Promise<string>;
  afterReply(target: ControlTarget): void;
}

export function defineControlCommand<const N extends string, A>(
  spec: ControlCommandSpec<N, A>,
): ControlHandler<N> {
  return {
    name: spec.name,
    heartbeat: spec.heartbeat,
    validate: (raw, context) => {
      spec.parseArgs(raw, context);
    },
    execute: async (target, raw) =>
      spec.run(target, spec.parseArgs(raw, { isRegistered: (task) => target.hasTask(task) })),
    afterReply: (target) => spec.afterReply?.(target),
  };
}
