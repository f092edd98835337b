"""PyTorch eager training of a Hugging Face Llama checkpoint, the peer FactorLab's trainer is
checked and timed against.

The model is the one torch_llama_peer.py reads (same safetensors parsing and RoPE), run over whole
sequences with autograd: cross-entropy of the next token, gradients accumulated over micro-batches,
global-norm clipping as torch.nn.utils.clip_grad_norm_, and torch.optim.AdamW with weight decay on
matrices only (norms and biases undecayed), as FactorLab's trainer groups them.

Usage:
  python3 torch_llama_train_peer.py --model DIR --plan PLAN.json

PLAN.json: {"batch": B, "positions": T, "betas": [b1, b2], "eps": e, "weightDecay": w,
"clipNorm": c or null, "steps": [{"learningRate": lr, "microBatches": [{"inputs": [...B*T ids],
"targets": [...]}]}], "timed": false}. Prints one JSON line: the loss and gradient norm of every
step, torch's version, its threads and the BLAS library it ran on, and the seconds training took.
With "timed", the first step is a warm-up left out of the seconds.
"""

import argparse
import json
import os
import time

from torch_llama_peer import Llama, blas_library, fail, read_json, rms_norm, rotate_half

import torch
import torch.nn.functional as F


def attention(config, layer, x, cos, sin):
    batch, length, _ = x.shape
    heads, kv_heads, head_dim = config.heads, config.kv_heads, config.head_dim
    q = F.linear(x, *layer.q).view(batch, length, heads, head_dim).transpose(1, 2)
    k = F.linear(x, *layer.k).view(batch, length, kv_heads, head_dim).transpose(1, 2)
    v = F.linear(x, *layer.v).view(batch, length, kv_heads, head_dim).transpose(1, 2)
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    groups = heads // kv_heads
    k = k.repeat_interleave(groups, dim=1)
    v = v.repeat_interleave(groups, dim=1)
    scores = (q @ k.transpose(-1, -2)) * head_dim**-0.5
    causal = torch.ones(length, length, dtype=torch.bool).triu(1)
    out = torch.softmax(scores.masked_fill(causal, float("-inf")), dim=-1) @ v
    return F.linear(out.transpose(1, 2).reshape(batch, length, heads * head_dim), *layer.o)


def forward(model, ids):
    config = model.config
    x = F.embedding(ids, model.embed)
    cos, sin = model.rope(torch.arange(ids.shape[1]))
    for layer in model.layers:
        x = x + attention(config, layer, rms_norm(x, layer.input_norm, config.eps), cos, sin)
        h = rms_norm(x, layer.post_norm, config.eps)
        x = x + F.linear(F.silu(F.linear(h, *layer.gate)) * F.linear(h, *layer.up), *layer.down)
    return F.linear(rms_norm(x, model.norm, config.eps), model.lm_head)


def parameters(model):
    """Every distinct weight tensor (a tied head once), each made a leaf that trains."""
    found = [model.embed, model.norm, model.lm_head]
    for layer in model.layers:
        found += [layer.input_norm, layer.post_norm]
        for weight, bias in (layer.q, layer.k, layer.v, layer.o, layer.gate, layer.up, layer.down):
            found += [weight] + ([bias] if bias is not None else [])
    unique = list({id(tensor): tensor for tensor in found}.values())
    for tensor in unique:
        tensor.requires_grad_(True)
    return unique


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--plan", required=True)
    args = parser.parse_args()
    plan = read_json(args.plan)
    try:
        batch, positions, steps = plan["batch"], plan["positions"], plan["steps"]
        betas, eps, weight_decay = tuple(plan["betas"]), plan["eps"], plan["weightDecay"]
        clip_norm = plan.get("clipNorm")
    except KeyError as error:
        fail(f"{args.plan}: {error.args[0]} is missing")

    torch.set_num_threads(os.cpu_count() or 1)
    model = Llama(args.model)
    weights = parameters(model)
    optimizer = torch.optim.AdamW(
        [
            {"params": [w for w in weights if w.dim() >= 2], "weight_decay": weight_decay},
            {"params": [w for w in weights if w.dim() < 2], "weight_decay": 0.0},
        ],
        lr=steps[0]["learningRate"] if steps else 1e-3,
        betas=betas,
        eps=eps,
    )
    vocabulary = model.config.vocab_size
    losses, norms = [], []
    started = time.perf_counter()
    for index, step in enumerate(steps):
        if plan.get("timed") and index == 1:
            started = time.perf_counter()
        micro_batches = step["microBatches"]
        total = 0.0
        for micro in micro_batches:
            inputs = torch.tensor(micro["inputs"], dtype=torch.int64).view(batch, positions)
            targets = torch.tensor(micro["targets"], dtype=torch.int64).view(-1)
            loss = F.cross_entropy(forward(model, inputs).view(-1, vocabulary), targets)
            (loss / len(micro_batches)).backward()
            total += loss.item() / len(micro_batches)
        if clip_norm is not None:
            norm = torch.nn.utils.clip_grad_norm_(weights, clip_norm)
        else:
            norm = torch.sqrt(sum((w.grad.detach() ** 2).sum() for w in weights))
        for group in optimizer.param_groups:
            group["lr"] = step["learningRate"]
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(total)
        norms.append(float(norm))
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "peer": "pytorch-eager",
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "blas": blas_library(),
                "losses": losses,
                "gradNorms": norms,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
