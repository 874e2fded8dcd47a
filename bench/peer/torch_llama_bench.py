"""Peer anchor: train a tiny LLaMA-style model (RMSNorm pre-norm, SwiGLU, RoPE) with PyTorch on the CPU
and print tokens/s and model FLOP/s (C = M * tokens, M = 72 L d^2 + 12 L d T, DeepSeek LLM Eq. 2).
usage: python3 torch_llama_bench.py L d T B [threads] [heads] [d_ff] [steps]
A measuring instrument for bench/train.ts only (never a dependency): the team's shared peer script, plus optional
heads / d_ff / timed-steps arguments so that the peer trains exactly the shapes our bench trains."""
import sys, time, math, torch
L, d, T, B = (int(x) for x in sys.argv[1:5]); thr = int(sys.argv[5]) if len(sys.argv) > 5 else 1
torch.set_num_threads(thr); torch.manual_seed(0)
V, H = 256, (int(sys.argv[6]) if len(sys.argv) > 6 else max(1, d // 32)); hd = d // H
ff = int(sys.argv[7]) if len(sys.argv) > 7 else int(round(8 * d / 3 / 8)) * 8
class RMS(torch.nn.Module):
    def __init__(s): super().__init__(); s.g = torch.nn.Parameter(torch.ones(d))
    def forward(s, x): return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * s.g
inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd)); ang = torch.outer(torch.arange(T).float(), inv)
cos, sin = torch.cat([ang.cos()] * 2, -1), torch.cat([ang.sin()] * 2, -1)
def rope(x): x1, x2 = x[..., :hd // 2], x[..., hd // 2:]; return x * cos + torch.cat([-x2, x1], -1) * sin
class Block(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.n1, s.n2 = RMS(), RMS(); s.qkv = torch.nn.Linear(d, 3 * d, bias=False); s.o = torch.nn.Linear(d, d, bias=False)
        s.w13 = torch.nn.Linear(d, 2 * ff, bias=False); s.w2 = torch.nn.Linear(ff, d, bias=False)
    def forward(s, x):
        q, k, v = s.qkv(s.n1(x)).view(B, T, 3, H, hd).permute(2, 0, 3, 1, 4)
        a = torch.nn.functional.scaled_dot_product_attention(rope(q), rope(k), v, is_causal=True) if hasattr(torch.nn.functional, 'scaled_dot_product_attention') else None
        if a is None:
            att = (rope(q) @ rope(k).transpose(-1, -2)) / math.sqrt(hd); att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf'))
            a = att.softmax(-1) @ v
        x = x + s.o(a.transpose(1, 2).reshape(B, T, d)); h1, h3 = s.w13(s.n2(x)).chunk(2, -1)
        return x + s.w2(torch.nn.functional.silu(h1) * h3)
emb = torch.nn.Embedding(V, d); blocks = torch.nn.ModuleList([Block() for _ in range(L)]); nf = RMS(); head = torch.nn.Linear(d, V, bias=False)
params = list(emb.parameters()) + list(blocks.parameters()) + list(nf.parameters()) + list(head.parameters())
opt = torch.optim.AdamW(params, lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1)
x = torch.randint(0, V, (B, T)); y = torch.randint(0, V, (B, T))
def step():
    h = emb(x)
    for b in blocks: h = b(h)
    loss = torch.nn.functional.cross_entropy(head(nf(h)).view(-1, V), y.view(-1))
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); return loss.item()
for _ in range(2): step()
n = int(sys.argv[8]) if len(sys.argv) > 8 else 5; t0 = time.perf_counter(); c0 = time.process_time()
for _ in range(n): lv = step()
dt = (time.perf_counter() - t0) / n; dc = (time.process_time() - c0) / n; M = 72 * L * d * d + 12 * L * d * T
print(f"torch{torch.__version__} threads={thr} L{L} d{d} T{T} B{B} step {dt:.3f}s tok/s {B*T/dt:.0f} model GFLOP/s {M*B*T/dt/1e9:.2f} loss {lv:.3f} cpu tok/s {B*T/dc:.0f}")
