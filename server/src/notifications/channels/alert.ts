// ALERT: an in-app alert for the bell (Alert rows; the row's NOTIFY feeds `alertAdded`). Each user
// keeps at most TRIBUTARY_ALERTS_PER_USER (500): the oldest beyond that are removed.
import type { Channel } from './channel.ts';
import { DeliveryError } from '../message.ts';

export const sendAlert: Channel = async ({ services, delivery, payload }) => {
  if (!delivery.userId) throw new DeliveryError('an alert needs a user', false);
  const { message } = payload;
  await services.prisma.$transaction(async (tx) => {
    // one user's alerts are written one at a time, or concurrent deliveries each trim before seeing
    // the others' rows and the cap is overshot (5 parallel deliveries against a cap of 3 left 4)
    await tx.$executeRaw`SELECT 1 FROM "User" WHERE id = ${delivery.userId} FOR NO KEY UPDATE`;
    await tx.alert.create({ data: { userId: delivery.userId!, event: message.event, title: message.title.slice(0, 500), description: message.description.slice(0, 5000), url: message.url } });
    await tx.$executeRaw`DELETE FROM "Alert" WHERE "userId" = ${delivery.userId} AND id NOT IN (
      SELECT id FROM "Alert" WHERE "userId" = ${delivery.userId} ORDER BY id DESC LIMIT ${services.config.alertsPerUser})`;
  });
};
