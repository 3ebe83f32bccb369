// vLLM cannot run on this machine (no GPU, no CUDA build), so the vllm-lora backend is tested against this stand-in
// of vLLM's OpenAI server, which implements the routes we use as vLLM's own code does
// (vllm/entrypoints/openai/serving_models.py: load/unload checks, status codes, messages; /v1/models cards with
// root = the adapter path and parent = the base model; a plain-text success body, as its api_server returns). An adapter "loads" when its
// folder has adapter_config.json, as vLLM's loader needs.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FakeVllm {
  baseURL: string;
  base: string;
  adapters: Map<string, string>;
  calls: Array<{ method: string; path: string; body: unknown }>;
  close(): Promise<void>;
}

export async function startFakeVllm(base = 'Qwen/Qwen2.5-0.5B-Instruct'): Promise<FakeVllm> {
  const adapters = new Map<string, string>();
  const calls: FakeVllm['calls'] = [];
  const error = (res: ServerResponse, status: number, type: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'error', message, type, param: null, code: status }));
  };
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = req.method === 'POST' ? await readBody(req) : null;
      calls.push({ method: req.method ?? '', path, body });
      if (req.method === 'GET' && path === '/v1/models') {
        const card = (id: string, root: string, parent: string | null) => ({
          id,
          object: 'model',
          created: 0,
          owned_by: 'vllm',
          root,
          parent,
          max_model_len: 4096,
          permission: [],
        });
        return json(res, {
          object: 'list',
          data: [card(base, base, null), ...[...adapters].map(([name, p]) => card(name, p, base))],
        });
      }
      if (req.method === 'POST' && path === '/v1/load_lora_adapter') {
        const name = body?.lora_name as string | undefined;
        const p = body?.lora_path as string | undefined;
        if (!name || !p)
          return error(res, 400, 'InvalidUserInput', "Both 'lora_name' and 'lora_path' must be provided.");
        if (adapters.has(name))
          return error(res, 400, 'InvalidUserInput', `The lora adapter '${name}' has already been loaded.`);
        if (!existsSync(join(p, 'adapter_config.json')))
          return error(res, 404, 'NotFoundError', `Loading lora ${name} failed: No adapter found for ${p}`);
        adapters.set(name, p);
        res.writeHead(200);
        return res.end(`Success: LoRA adapter '${name}' added successfully.`);
      }
      if (req.method === 'POST' && path === '/v1/unload_lora_adapter') {
        const name = body?.lora_name as string | undefined;
        if (!name && !body?.lora_int_id)
          return error(res, 400, 'InvalidUserInput', "either 'lora_name' and 'lora_int_id' needs to be provided.");
        if (!name || !adapters.has(name))
          return error(res, 404, 'NotFoundError', `The lora adapter '${name}' cannot be found.`);
        adapters.delete(name);
        res.writeHead(200);
        return res.end(`Success: LoRA adapter '${name}' removed successfully.`);
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        const model = body?.model as string;
        if (model !== base && !adapters.has(model))
          return error(res, 404, 'NotFoundError', `The model \`${model}\` does not exist.`);
        return json(res, {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 0,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'length' }],
          usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
        });
      }
      error(res, 404, 'NotFoundError', `no route ${req.method} ${path}`);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    base,
    adapters,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
