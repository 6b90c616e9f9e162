import { type ApiResource, HttpError, handle } from './http';

/** Not Flower's: its broker page as JSON, with what Flower's users ask for (oldest waiting age). */
export const broker: ApiResource = {
  name: 'broker',
  register(router, { monitor }) {
    router.get(
      '/broker',
      handle(async (_req, res) => {
        const snapshot = await monitor.broker.snapshot(0);
        if (!snapshot.up) throw new HttpError(503, 'broker unavailable');
        res.json({
          redis: {
            used_memory_bytes: snapshot.usedMemoryBytes,
            connected_clients: snapshot.connectedClients,
          },
          queues: snapshot.queues.map((q) => ({
            name: q.name,
            ...q.counts,
            oldest_waiting_age_seconds: q.oldestWaitingAgeSeconds,
          })),
        });
      }),
    );
  },
};
