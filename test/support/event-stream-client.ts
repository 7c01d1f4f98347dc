/** One block of a text/event-stream: an event (name, id, parsed JSON data) or a comment line. */
export type StreamBlock = { comment: string } | { event: string; id?: string; data: unknown };

export interface EventStreamClient {
  response: Response;
  /** Reads until a block satisfies `accept` and returns it; throws if the stream ends first. */
  next(accept?: (block: StreamBlock) => boolean): Promise<StreamBlock>;
  /** Reads until the next event (comments skipped) and returns it. */
  nextEvent(): Promise<{ event: string; id?: string; data: unknown }>;
  /** Reads to the end of the stream (the server closed it); returns whether it ended cleanly. */
  ended(): Promise<boolean>;
  close(): void;
}

/**
 * Opens a server-sent event stream with fetch and parses it block by block, as a browser's EventSource would. The
 * response is returned whatever its status, so refusals (401, 429) can be asserted on `response`.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { Accept: "text/event-stream", ...headers }, signal: abort.signal });
  // Taken on the first read only, so a refused response's JSON body can still be read with response.json().
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const decoder = new TextDecoder();
  let buffer = "";
  const pending: StreamBlock[] = [];

  const readBlock = async (): Promise<StreamBlock | undefined> => {
    for (;;) {
      const queued = pending.shift();
      if (queued !== undefined) return queued;
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        pending.push(parseBlock(block));
        continue;
      }
      if (response.body === null) return undefined;
      reader ??= response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      const { done, value } = await reader.read();
      if (done) return undefined;
      buffer += decoder.decode(value, { stream: true });
    }
  };

  const client: EventStreamClient = {
    response,
    async next(accept = () => true) {
      for (;;) {
        const block = await readBlock();
        if (block === undefined) throw new Error("the event stream ended");
        if (accept(block)) return block;
      }
    },
    async nextEvent() {
      return (await client.next((block) => "event" in block)) as { event: string; id?: string; data: unknown };
    },
    async ended() {
      try {
        while ((await readBlock()) !== undefined);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      abort.abort();
    },
  };
  return client;
}

function parseBlock(block: string): StreamBlock {
  const lines = block.split("\n");
  if (lines.every((line) => line.startsWith(":")))
    return { comment: lines.map((line) => line.slice(1).trim()).join("\n") };
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  return { event, id, data: JSON.parse(data.join("\n")) as unknown };
}
