"""PyTorch's CPU Llama inference on a Hugging Face checkpoint folder, the peer FactorLab's engine is
measured and cross-checked against.

Plain PyTorch and numpy: safetensors headers are parsed here and the forward pass is written out as
transformers' LlamaForCausalLM computes it (RMSNorm, rotate-half RoPE with llama3 scaling, grouped
KV heads, optional biases, tied embeddings, SwiGLU), eagerly in float32 with a KV cache.

Usage:
  python3 torch_llama_peer.py --model DIR --prompt-len P --gen-len G --batch B
      [--experts N --top-k K --split sequential] [--seed S] [--repeats R]
      [--layout auto|linear|transposed]
  python3 torch_llama_peer.py --model DIR --logits-ids 1,2,3 [--experts N --top-k K] [--layout L]

Weights are multiplied in the layout the BLAS at hand runs faster (--layout auto, the default):
as stored, through F.linear, or transposed once into contiguous [in, out] copies multiplied as
x @ W^T. Over the reference BLAS the transposed form decoded about 1.9x faster; over OpenBLAS
F.linear is the faster. Auto times a short decode in each and keeps the faster (both reported).

Timing mode prints one JSON line of throughputs; --logits-ids prints {"shape": [T, V], "logits":
[[...]]} for the ids as one sequence, factorised with "routers" too (each layer's [N, d] weight).
Exits non-zero with the reason on stderr when something is missing or malformed.
"""

import argparse
import json
import math
import os
import struct
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit(f"numpy is not installed for {sys.executable}")
try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit(f"torch is not installed for {sys.executable}")

ROUTER_STD = 0.02
MAX_HEADER_BYTES = 100_000_000
SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2", "BF16": "<u2"}


def fail(message):
    sys.exit(message)


def blas_library():
    """The BLAS shared library torch was loaded with: Debian's torch uses whichever libblas.so.3
    the system's alternatives select, the reference BLAS unless OpenBLAS is installed."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                if "blas" in name and ".so" in name:
                    return os.path.realpath(path)
    except OSError:
        pass
    return None


def read_json(path):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        fail(f"{path}: file not found")
    except json.JSONDecodeError as error:
        fail(f"{path}: not valid JSON ({error})")


def read_safetensors(path):
    """Every tensor of one safetensors file, widened to float32."""
    try:
        with open(path, "rb") as file:
            content = file.read()
    except FileNotFoundError:
        fail(f"{path}: file not found")
    if len(content) < 8:
        fail(f"{path}: truncated, too short for the 8-byte header length")
    (header_bytes,) = struct.unpack("<Q", content[:8])
    if header_bytes > MAX_HEADER_BYTES or 8 + header_bytes > len(content):
        fail(f"{path}: header length {header_bytes} runs past the end of the file")
    try:
        header = json.loads(content[8 : 8 + header_bytes])
    except (json.JSONDecodeError, UnicodeDecodeError):
        fail(f"{path}: header is not valid JSON")
    data_start = 8 + header_bytes
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in SAFETENSORS_DTYPES:
            fail(f'{path}: tensor "{name}" is {dtype}; the peer reads F32, F16 and BF16')
        count = math.prod(shape)
        if end - begin != count * (4 if dtype == "F32" else 2) or data_start + end > len(content):
            fail(f'{path}: tensor "{name}" has data offsets that do not fit its shape or the file')
        values = np.frombuffer(
            content, dtype=SAFETENSORS_DTYPES[dtype], count=count, offset=data_start + begin
        )
        if dtype == "BF16":
            values = (values.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = torch.from_numpy(values.astype(np.float32).reshape(shape))
    return tensors


def read_weights(directory):
    single = os.path.join(directory, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    index = os.path.join(directory, "model.safetensors.index.json")
    if not os.path.exists(index):
        fail(f"{directory}: neither model.safetensors nor model.safetensors.index.json found")
    tensors = {}
    weight_map = read_json(index).get("weight_map")
    if not isinstance(weight_map, dict):
        fail(f"{index}: weight_map is missing")
    for shard in sorted(set(weight_map.values())):
        tensors.update(read_safetensors(os.path.join(directory, shard)))
    return tensors


class Config:
    def __init__(self, json_config):
        get = json_config.get
        self.vocab_size = json_config["vocab_size"]
        self.hidden_size = json_config["hidden_size"]
        self.intermediate_size = json_config["intermediate_size"]
        self.layers = json_config["num_hidden_layers"]
        self.heads = json_config["num_attention_heads"]
        self.kv_heads = get("num_key_value_heads") or self.heads
        self.head_dim = get("head_dim") or self.hidden_size // self.heads
        self.max_positions = json_config["max_position_embeddings"]
        self.eps = get("rms_norm_eps", 1e-6)
        self.rope_theta = get("rope_theta", 10000.0)
        self.rope_scaling = get("rope_scaling")
        self.tie_word_embeddings = get("tie_word_embeddings", False)


def rope_inverse_frequencies(config):
    """transformers' default RoPE frequencies, with its llama3 frequency-dependent scaling."""
    dim = config.head_dim
    inv_freq = 1.0 / (
        config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim)
    )
    scaling = config.rope_scaling
    if not scaling:
        return inv_freq
    rope_type = scaling.get("rope_type", scaling.get("type"))
    if rope_type != "llama3":
        fail(f"rope_scaling type {rope_type!r} is not supported (supported: llama3)")
    factor = scaling["factor"]
    low_freq_factor = scaling["low_freq_factor"]
    high_freq_factor = scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (
        high_freq_factor - low_freq_factor
    )
    smoothed = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium, smoothed, inv_freq_llama)


LAYOUTS = ("linear", "transposed")


class Linear:
    """x W^T + b, in one of LAYOUTS; iterates as (weight, bias) like the tuples F.linear takes."""

    def __init__(self, weight, bias=None):
        self.weight = weight
        self.bias = bias
        self.transposed = None

    def use(self, layout):
        self.transposed = self.weight.t().contiguous() if layout == "transposed" else None

    def __iter__(self):
        return iter((self.weight, self.bias))

    def __call__(self, x):
        if self.transposed is None:
            return F.linear(x, self.weight, self.bias)
        y = x @ self.transposed
        return y if self.bias is None else y + self.bias


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer:
    def __init__(self, tensors, prefix, take):
        def linear(name):
            return Linear(take(f"{prefix}.{name}.weight"), tensors.pop(f"{prefix}.{name}.bias", None))

        self.input_norm = take(f"{prefix}.input_layernorm.weight")
        self.q = linear("self_attn.q_proj")
        self.k = linear("self_attn.k_proj")
        self.v = linear("self_attn.v_proj")
        self.o = linear("self_attn.o_proj")
        self.post_norm = take(f"{prefix}.post_attention_layernorm.weight")
        self.gate = linear("mlp.gate_proj")
        self.up = linear("mlp.up_proj")
        self.down = linear("mlp.down_proj")

    def linears(self):
        return [self.q, self.k, self.v, self.o, self.gate, self.up, self.down]


class Llama:
    def __init__(self, directory):
        config_path = os.path.join(directory, "config.json")
        try:
            self.config = Config(read_json(config_path))
        except KeyError as error:
            fail(f"{config_path}: {error.args[0]} is missing")
        tensors = read_weights(directory)

        def take(name):
            if name not in tensors:
                fail(f'{directory}: missing tensor "{name}"')
            return tensors.pop(name)

        self.embed = take("model.embed_tokens.weight")
        self.layers = [
            Layer(tensors, f"model.layers.{index}", take) for index in range(self.config.layers)
        ]
        self.norm = take("model.norm.weight")
        self.lm_head = self.embed if self.config.tie_word_embeddings else take("lm_head.weight")
        leftover = [name for name in tensors if not name.endswith(".rotary_emb.inv_freq")]
        if leftover:
            fail(f'{directory}: unexpected tensor "{leftover[0]}"')
        self.inv_freq = rope_inverse_frequencies(self.config)
        self.head = Linear(self.lm_head)

    def use_layout(self, layout):
        for linear in [self.head] + [x for layer in self.layers for x in layer.linears()]:
            linear.use(layout)

    def rope(self, positions):
        freqs = positions[:, None].float() * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    def attention(self, layer, index, x, cache, start, cos, sin):
        c = self.config
        batch, length, _ = x.shape
        q = layer.q(x).view(batch, length, c.heads, c.head_dim).transpose(1, 2)
        k = layer.k(x).view(batch, length, c.kv_heads, c.head_dim).transpose(1, 2)
        v = layer.v(x).view(batch, length, c.kv_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        end = start + length
        cache.keys[index][:, :, start:end] = k
        cache.values[index][:, :, start:end] = v
        keys = cache.keys[index][:, :, :end]
        values = cache.values[index][:, :, :end]
        # Query head h reads KV head h // groups, as transformers' repeat_kv arranges, without
        # copying the cache once per group.
        groups = c.heads // c.kv_heads
        q = q.reshape(batch, c.kv_heads, groups * length, c.head_dim)
        scores = (q @ keys.transpose(-1, -2)) * c.head_dim**-0.5
        if length > 1:
            scores = scores.view(batch, c.kv_heads, groups, length, end)
            query_positions = torch.arange(start, end)[:, None]
            masked = torch.arange(end)[None, :] > query_positions
            scores = scores.masked_fill(masked, float("-inf"))
            scores = scores.view(batch, c.kv_heads, groups * length, end)
        out = torch.softmax(scores, dim=-1) @ values
        out = out.view(batch, c.heads, length, c.head_dim).transpose(1, 2)
        return layer.o(out.reshape(batch, length, c.heads * c.head_dim))

    def forward(self, ids, cache, ffn, last_only):
        """Logits of `ids` (batch x length) following the `cache.length` tokens already cached."""
        c = self.config
        start = cache.length
        x = F.embedding(ids, self.embed)
        cos, sin = self.rope(torch.arange(start, start + ids.shape[1]))
        for index, layer in enumerate(self.layers):
            x = x + self.attention(
                layer, index, rms_norm(x, layer.input_norm, c.eps), cache, start, cos, sin
            )
            x = x + ffn(index, layer, rms_norm(x, layer.post_norm, c.eps))
        cache.length += ids.shape[1]
        if last_only:
            x = x[:, -1:]
        return self.head(rms_norm(x, self.norm, c.eps))


class KVCache:
    def __init__(self, config, batch, capacity):
        shape = (batch, config.kv_heads, capacity, config.head_dim)
        self.keys = [torch.zeros(shape) for _ in range(config.layers)]
        self.values = [torch.zeros(shape) for _ in range(config.layers)]
        self.length = 0


def dense_ffn(_index, layer, h):
    return layer.down(F.silu(layer.gate(h)) * layer.up(h))


class FactorisedFfn:
    """Each FFN cut into `experts` runs of consecutive neurons; an untrained router picks `top_k`.

    Expert j holds neurons [floor(j f / N), floor((j + 1) f / N)): its rows of gate and up, its
    columns of down. The output is (N / k) times the sum of the chosen experts, so with k = N it
    is the dense FFN. Each expert computes only the tokens routed to it.
    """

    def __init__(self, model, experts, top_k, seed):
        c = model.config
        f = c.intermediate_size
        if not 1 <= experts <= f:
            fail(f"--experts {experts}: must be between 1 and intermediate_size ({f})")
        if not 1 <= top_k <= experts:
            fail(f"--top-k {top_k}: must be between 1 and --experts ({experts})")
        self.top_k = top_k
        self.scale = experts / top_k
        generator = torch.Generator().manual_seed(seed)
        self.routers = []
        self.experts = []
        for layer in model.layers:
            weight = torch.randn(experts, c.hidden_size, generator=generator) * ROUTER_STD
            self.routers.append(Linear(weight, torch.zeros(experts)))
            bounds = [j * f // experts for j in range(experts + 1)]
            self.experts.append(
                [self.slice(layer, begin, end) for begin, end in zip(bounds, bounds[1:])]
            )

    @staticmethod
    def slice(layer, begin, end):
        def rows(linear):
            weight, bias = linear
            return Linear(
                weight[begin:end].contiguous(),
                None if bias is None else bias[begin:end].contiguous(),
            )

        return rows(layer.gate), rows(layer.up), Linear(layer.down.weight[:, begin:end].contiguous())

    def use_layout(self, layout):
        for linear in self.routers + [x for experts in self.experts for e in experts for x in e]:
            linear.use(layout)

    def __call__(self, index, layer, h):
        batch, length, d = h.shape
        tokens = h.reshape(-1, d)
        probabilities = torch.softmax(self.routers[index](tokens), dim=-1)
        chosen = probabilities.topk(self.top_k, dim=-1).indices
        out = torch.zeros_like(tokens)
        for expert, (gate, up, down) in enumerate(self.experts[index]):
            rows = (chosen == expert).any(dim=-1).nonzero().squeeze(1)
            if rows.numel() == 0:
                continue
            x = tokens.index_select(0, rows)
            out.index_add_(0, rows, down(F.silu(gate(x)) * up(x)))
        out = out * self.scale
        down_bias = layer.down.bias
        if down_bias is not None:
            out = out + down_bias
        return out.view(batch, length, d)


def generate(model, ffn, prompt, gen_len):
    """Prefill then `gen_len` greedy steps; returns prefill seconds and each step's seconds."""
    cache = KVCache(model.config, prompt.shape[0], prompt.shape[1] + gen_len)
    started = time.perf_counter()
    logits = model.forward(prompt, cache, ffn, last_only=True)
    token = logits[:, -1].argmax(dim=-1, keepdim=True)
    prefill = time.perf_counter() - started
    steps = []
    for _ in range(gen_len):
        started = time.perf_counter()
        logits = model.forward(token, cache, ffn, last_only=True)
        token = logits[:, -1].argmax(dim=-1, keepdim=True)
        steps.append(time.perf_counter() - started)
    return prefill, steps


def summarise(runs, prompt):
    """The fastest prefill and the fastest whole decode of `runs`: on a shared machine the best
    of several is the one least disturbed by other work."""
    batch, prompt_len = prompt.shape
    steps = min((steps for _, steps in runs), key=sum)
    steps_ms = np.array(steps) * 1000
    return {
        "prefillTokS": batch * prompt_len / min(prefill for prefill, _ in runs),
        "decodeTokS": batch * len(steps) / sum(steps),
        "decodeStepMsP50": float(np.percentile(steps_ms, 50)),
        "decodeStepMsP95": float(np.percentile(steps_ms, 95)),
    }


def measure(model, ffns, prompt, gen_len, repeats):
    """Times generation with each FFN `repeats` times after a warm-up, alternating between them
    so that each sees the same load."""
    for ffn in ffns:
        generate(model, ffn, prompt, min(gen_len, 8))  # warm-up: allocator, thread pool, caches
    runs = [[] for _ in ffns]
    for _ in range(repeats):
        for ffn, ffn_runs in zip(ffns, runs):
            ffn_runs.append(generate(model, ffn, prompt, gen_len))
    return [summarise(ffn_runs, prompt) for ffn_runs in runs]


def use_layout(model, ffns, layout):
    model.use_layout(layout)
    for ffn in ffns:
        if isinstance(ffn, FactorisedFfn):
            ffn.use_layout(layout)


TRIAL_STEPS = 16


def choose_layout(model, ffns, prompt, gen_len, requested):
    """Puts the weights in the `requested` layout, or with "auto" in the one under which a short
    decode with every FFN is fastest; returns it and, with auto, each layout's trial decode
    tokens/s (best of two trials after a warm-up)."""
    if requested != "auto":
        use_layout(model, ffns, requested)
        return requested, None
    steps = min(gen_len, TRIAL_STEPS)
    trial = {}
    for layout in LAYOUTS:
        use_layout(model, ffns, layout)
        for ffn in ffns:
            generate(model, ffn, prompt, min(steps, 4))
        seconds = min(
            sum(sum(generate(model, ffn, prompt, steps)[1]) for ffn in ffns) for _ in range(2)
        )
        trial[layout] = prompt.shape[0] * steps * len(ffns) / seconds
    best = max(trial, key=trial.get)
    use_layout(model, ffns, best)
    return best, trial


def logits_of(model, ffn, ids):
    """Logits of `ids` as one sequence, checked against the same logits computed via the cache."""
    sequence = torch.tensor([ids])
    whole = model.forward(sequence, KVCache(model.config, 1, len(ids)), ffn, last_only=False)[0]
    cache = KVCache(model.config, 1, len(ids))
    steps = [sequence[:, t : t + 1] for t in range(len(ids))]
    stepwise = torch.cat([model.forward(step, cache, ffn, last_only=False)[0] for step in steps])
    difference = (whole - stepwise).abs().max().item()
    if difference > 1e-4 * max(1.0, whole.abs().max().item()):
        fail(f"the KV-cache path disagrees with the whole-sequence pass by {difference}")
    return whole


def parse_ids(text):
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        fail(f"--logits-ids {text}: must be comma-separated token ids")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--prompt-len", type=int, default=128)
    parser.add_argument("--gen-len", type=int, default=64)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--experts", type=int)
    parser.add_argument("--top-k", type=int)
    parser.add_argument("--split", choices=["sequential"], default="sequential")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--logits-ids")
    parser.add_argument("--layout", choices=("auto",) + LAYOUTS, default="auto")
    args = parser.parse_args()
    if (args.experts is None) != (args.top_k is None):
        fail("--experts and --top-k go together")

    torch.set_num_threads(os.cpu_count() or 1)
    with torch.inference_mode():
        model = Llama(args.model)
        config = model.config
        factorised = (
            FactorisedFfn(model, args.experts, args.top_k, args.seed)
            if args.experts is not None
            else None
        )
        if args.logits_ids is not None:
            ids = parse_ids(args.logits_ids)
            if not ids or not all(0 <= i < config.vocab_size for i in ids):
                fail(f"--logits-ids: ids must be between 0 and {config.vocab_size - 1}")
            if len(ids) > config.max_positions:
                fail(f"--logits-ids: {len(ids)} ids exceed max_position_embeddings")
            # Logits are the same in either layout; auto checks them in the stored one.
            use_layout(model, [factorised], "linear" if args.layout == "auto" else args.layout)
            logits = logits_of(model, factorised or dense_ffn, ids)
            output = {"shape": list(logits.shape), "logits": logits.tolist()}
            if factorised is not None:
                # Each layer's router weight [N, d] (its bias is zero), so others can recompute.
                output["routers"] = [weight.tolist() for weight, _ in factorised.routers]
            print(json.dumps(output))
            return

        if min(args.prompt_len, args.gen_len, args.batch, args.repeats) < 1:
            fail("--prompt-len, --gen-len, --batch and --repeats must be positive")
        if args.prompt_len + args.gen_len > config.max_positions:
            fail(
                f"--prompt-len + --gen-len ({args.prompt_len + args.gen_len}) exceed "
                f"max_position_embeddings ({config.max_positions})"
            )
        generator = torch.Generator().manual_seed(args.seed)
        prompt = torch.randint(
            config.vocab_size, (args.batch, args.prompt_len), generator=generator
        )
        result = {
            "peer": "pytorch-eager",
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": blas_library(),
        }
        result["repeats"] = args.repeats
        ffns = [dense_ffn] if factorised is None else [dense_ffn, factorised]
        result["layout"], trial = choose_layout(model, ffns, prompt, args.gen_len, args.layout)
        if trial is not None:
            result["layoutTrialDecodeTokS"] = trial
        if factorised is None:
            (dense,) = measure(model, [dense_ffn], prompt, args.gen_len, args.repeats)
            result.update(dense)
        else:
            dense, sparse = measure(
                model, [dense_ffn, factorised], prompt, args.gen_len, args.repeats
            )
            result.update(sparse)
            result["experts"] = args.experts
            result["topK"] = args.top_k
            result["denseDecodeTokS"] = dense["decodeTokS"]
            result["densePrefillTokS"] = dense["prefillTokS"]
            result["speedup"] = sparse["decodeTokS"] / dense["decodeTokS"]
        print(json.dumps(result))


if __name__ == "__main__":
    main()
