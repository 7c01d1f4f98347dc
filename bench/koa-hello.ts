import Koa from "koa";

// The ceiling for bench:api: a bare Koa app answering a small JSON body, in a process of its own like the API.
const port = Number(process.argv[2] ?? "0");
const app = new Koa();
app.use((ctx) => {
  ctx.body = { hello: "world" };
});
const server = app.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address !== null ? address.port : port}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
