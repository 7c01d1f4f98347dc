import { createLocalStripeServer } from "./create-local-stripe-server.js";
import { loadLocalStripeConfig } from "./local-stripe-config.js";

// `npm run stripe:local`: the local stand-in for Stripe, with settings from LOCAL_STRIPE_* (see README). Point the
// SDK at it with `new Stripe(key, { host, port, protocol: "http" })`. State lives in memory until it stops.
const server = await createLocalStripeServer({
  ...loadLocalStripeConfig(),
  log: (line) => console.error(line),
});
console.log(`Local Stripe (stand-in, in memory) listening on ${server.url}`);
if (server.webhookEndpointId !== undefined) console.log(`Delivering webhooks as endpoint ${server.webhookEndpointId}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
